"""Expectation suites, kept as code: one suite per validated relation.

Each expectation is written as (expectation class name, keyword arguments) so that the suites
read like a table and this module imports without Great Expectations (which costs ~2 s).
``checks.py`` turns them into GX expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import yaml

Expectation = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class Suite:
    name: str
    relation: str  # schema.table in the warehouse
    expectations: list[Expectation] = field(default_factory=list)


def key(column: str) -> list[Expectation]:
    """A primary key: present and unique."""
    return [
        ("ExpectColumnValuesToNotBeNull", {"column": column}),
        ("ExpectColumnValuesToBeUnique", {"column": column}),
    ]


def rows_between(low: int, high: int | None = None) -> Expectation:
    return ("ExpectTableRowCountToBeBetween", {"min_value": low, "max_value": high})


def value_set(column: str, values: list[str], mostly: float = 1.0) -> Expectation:
    return ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values, "mostly": mostly})


def between(column: str, low: float | None, high: float | None, mostly: float = 1.0) -> Expectation:
    return ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high, "mostly": mostly})


def not_null(column: str, mostly: float = 1.0) -> Expectation:
    return ("ExpectColumnValuesToNotBeNull", {"column": column, "mostly": mostly})


MARTS_DIR = Path(__file__).resolve().parents[2] / "models" / "marts"


def contract_columns(model: str) -> list[str]:
    """Column names of a mart as its YAML contract declares them."""
    for path in MARTS_DIR.rglob("_*__models.yml"):
        for entry in yaml.safe_load(path.read_text()).get("models", []):
            if entry["name"] == model:
                return [column["name"] for column in entry["columns"]]
    raise KeyError(f"no contract for {model}")


CHANNEL_CODES = ["store", "web", "app", "call_centre", "field_sales", "partner"]
ORDER_STATUSES = ["completed", "returned", "cancelled"]

SUITES: list[Suite] = [
    # Raw extract: the load arrived and is the right shape. Duplicates and faults are expected
    # here; the bounds are loose so that any scale factor passes.
    Suite("raw_customers", "raw.customers", [
        rows_between(100), not_null("customer_id"), not_null("signup_date"),
        ("ExpectColumnValuesToMatchRegex", {"column": "email", "regex": r"@", "mostly": 1.0}),
    ]),
    Suite("raw_orders", "raw.orders", [
        rows_between(1000), not_null("order_id"), not_null("ordered_at"), not_null("order_status"),
        ("ExpectColumnValuesToMatchRegex", {"column": "ordered_at", "regex": r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}"}),
    ]),
    Suite("raw_order_items", "raw.order_items", [
        rows_between(1000), not_null("order_item_id"), not_null("order_id"), not_null("unit_price"),
    ]),
    # Staging: faults handled, keys unique, vocabularies closed.
    Suite("stg_crm__customers", "staging.stg_crm__customers", [
        *key("customer_id"),
        value_set("gender", ["female", "male", "unknown"]),
        value_set("customer_type", ["individual", "business"]),
        not_null("region"),
        ("ExpectColumnValuesToMatchRegex", {"column": "phone", "regex": r"^\+\d{8,15}$"}),
        ("ExpectColumnValuesToMatchRegex", {"column": "email", "regex": r"^[^A-Z\s]+@[^A-Z\s]+$"}),
    ]),
    Suite("stg_crm__web_accounts", "staging.stg_crm__web_accounts", [
        *key("web_account_id"),
        ("ExpectColumnValuesToMatchRegex", {"column": "phone", "regex": r"^\+\d{8,15}$"}),
    ]),
    Suite("stg_crm__orders", "staging.stg_crm__orders", [
        *key("order_id"),
        value_set("currency_code", ["USD", "EUR", "GBP", "CNY"]),
        between("loaded_copies", 1, 3),
    ]),
    # Status and channel are mapped to their codes where the orders are validated.
    Suite("int_orders__validated", "intermediate.int_orders__validated", [
        *key("order_id"),
        value_set("channel_code", [*CHANNEL_CODES, "unknown"]),
        value_set("channel_code", CHANNEL_CODES, mostly=0.95),  # 'unknown' stays a small minority
        value_set("order_status", ORDER_STATUSES),
    ]),
    Suite("stg_crm__order_items", "staging.stg_crm__order_items", [
        *key("order_item_id"),
        between("unit_price", 0, None),
        between("quantity", 1, None, mostly=0.99),  # invalid lines are flagged (then quarantined), and rare
        ("ExpectColumnPairValuesAToBeGreaterThanB", {
            "column_A": "unit_price_x_quantity", "column_B": "discount_amount", "or_equal": True, "mostly": 0.99,
        }),
    ]),
    Suite("stg_crm__products", "staging.stg_crm__products", [
        *key("product_id"), between("list_price_usd", 0, 10000),
        ("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "list_price_usd", "column_B": "unit_cost_usd"}),
    ]),
    Suite("stg_crm__service_tickets", "staging.stg_crm__service_tickets", [
        *key("ticket_id"), between("satisfaction_score", 1, 5), between("expectation_score", 1, 5),
        value_set("ticket_category", ["inquiry", "complaint", "repair", "return"]),
    ]),
    Suite("stg_crm__exchange_rates", "staging.stg_crm__exchange_rates", [
        *key("exchange_rate_id"), between("usd_per_unit", 0.01, 10),
    ]),
]

# Stage and segment names are defined once, in their seeds.
MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "mappings"
LIFECYCLE_STAGES = list(pd.read_csv(MAPPINGS_DIR / "lifecycle_stages.csv")["lifecycle_stage"])
RFM_SEGMENTS = sorted(pd.read_csv(MAPPINGS_DIR / "rfm_segments.csv")["rfm_segment"].unique())
VALUE_TIERS = ["key", "major", "ordinary", "small"]
# Target share of buying customers per value tier (dbt vars value_tier_*_share, defaults).
TIER_TARGET_SHARES = {"key": 0.01, "major": 0.19, "ordinary": 0.30, "small": 0.50}

SUITES += [
    # Customer marts: closed vocabularies, scores and rates in range, numbers that agree.
    Suite("dim_customers", "marts.dim_customers", [
        *key("customer_key"),
        value_set("lifecycle_stage", LIFECYCLE_STAGES),
        value_set("rfm_segment", RFM_SEGMENTS),
        value_set("value_tier", VALUE_TIERS),
        between("tenure_days", 0, None),
        # exactly the contracted columns: a personal-data column cannot slip in unnoticed
        ("ExpectTableColumnsToMatchSet", {"column_set": contract_columns("dim_customers"), "exact_match": True}),
    ]),
    Suite("fct_customer_rfm", "marts.fct_customer_rfm", [
        *key("customer_key"),
        between("recency_score", 1, 5), between("frequency_score", 1, 5), between("monetary_score", 1, 5),
        between("recency_days", 0, None), between("monetary", 0, None),
        not_null("rfm_segment"),
    ]),
    Suite("rpt_customer_value_pyramid", "marts.rpt_customer_value_pyramid", [
        rows_between(4, 4),
        value_set("value_tier", VALUE_TIERS),
        between("customer_share_gap", 0, 0.01),  # tier sizes near 1 / 19 / 30 / 50 %
        between("margin_share", 0, 1),
    ]),
    Suite("rpt_customer_pareto", "marts.rpt_customer_pareto", [
        rows_between(1, 1),
        between("top_customers_revenue_share", 0.6, 0.95),  # roughly 80/20 by design of the data
    ]),
    Suite("fct_customer_lifetime_value", "marts.fct_customer_lifetime_value", [
        *key("customer_key"),
        ("ExpectColumnPairValuesAToBeGreaterThanB", {
            "column_A": "historical_margin", "column_B": "historical_contribution", "or_equal": True,
        }),
        between("ltv_consistency_gap", -0.011, 0.011),  # undiscounted LTV = contributions - acquisition
        between("retention_rate", 0, 1),
    ]),
    Suite("fct_customer_loyalty", "marts.fct_customer_loyalty", [
        *key("customer_key"),
        between("category_share", 0, 1), between("discounted_revenue_share", 0, 1),
        between("repeat_purchase_share", 0, 1),
    ]),
    Suite("fct_customer_satisfaction", "marts.fct_customer_satisfaction", [
        *key("customer_key"),
        between("complaint_rate", 0, 1), between("mean_satisfaction_score", 1, 5),
        between("satisfaction_index", 0.2, 5),
    ]),
    # Time marts.
    Suite("dim_date", "marts.dim_date", [
        *key("date_day"), between("iso_day_of_week", 1, 7), between("fiscal_period", 1, 12),
    ]),
    Suite("fct_sales_daily", "marts.fct_sales_daily", [
        *key("date_day"), between("net_revenue", 0, None), between("active_customers", 0, None),
    ]),
    Suite("fct_sales_monthly", "marts.fct_sales_monthly", [
        *key("month_start"), between("net_revenue", 0, None), between("days_in_month", 1, 31),
    ]),
    Suite("fct_churn_retention_monthly", "marts.fct_churn_retention_monthly", [
        *key("month_start"), between("churn_rate", 0, 1), between("retention_rate", 0, 1),
    ]),
    Suite("fct_cohort_retention", "marts.fct_cohort_retention", [
        *key("cohort_period_id"), between("retention_rate", 0, 1), between("months_since_first_purchase", 0, None),
    ]),
    Suite("fct_customer_monthly_snapshot", "marts.fct_customer_monthly_snapshot", [
        *key("customer_month_id"), value_set("lifecycle_stage", LIFECYCLE_STAGES),
    ]),
]

def at_least(column_a: str, column_b: str) -> Expectation:
    """column_a >= column_b on every row (e.g. a funnel that never widens)."""
    return ("ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": column_a, "column_B": column_b, "or_equal": True})


SUITES += [
    # Product marts.
    Suite("dim_products", "marts.dim_products", [
        *key("product_id"), not_null("price_band"), not_null("department_name"), between("unit_margin_rate", 0, 1),
    ]),
    Suite("fct_product_sales_monthly", "marts.fct_product_sales_monthly", [
        *key("product_month_id"), between("return_rate", 0, 1), between("units_sold", 0, None),
    ]),
    Suite("fct_product_affinity", "marts.fct_product_affinity", [
        *key("product_pair_id"), rows_between(1), between("support", 0.002, 1),
        between("confidence_a_to_b", 0, 1), between("confidence_b_to_a", 0, 1), between("lift", 0, None),
        at_least("product_a_orders", "pair_orders"), at_least("product_b_orders", "pair_orders"),
    ]),
    Suite("fct_category_affinity", "marts.fct_category_affinity", [
        *key("category_pair_id"), rows_between(1), between("lift", 0, None),
    ]),
    # Channel, marketing, sales and service marts.
    Suite("fct_channel_performance_monthly", "marts.fct_channel_performance_monthly", [
        *key("channel_month_id"), between("month_revenue_share", 0, 1),
        between("month_share_total", 0.999, 1.001),  # shares of a month add up to 1
    ]),
    Suite("fct_campaign_performance", "marts.fct_campaign_performance", [
        *key("campaign_id"), between("response_rate", 0, 1), at_least("touches", "responses"),
        at_least("customers_reached", "responding_customers"),
    ]),
    Suite("fct_sales_funnel", "marts.fct_sales_funnel", [
        *key("funnel_row_id"), between("win_rate", 0, 1),
        at_least("opportunities", "reached_qualification"), at_least("reached_qualification", "reached_proposal"),
        at_least("reached_proposal", "reached_negotiation"), at_least("leads", "qualified_leads"),
    ]),
    Suite("fct_sales_rep_performance", "marts.fct_sales_rep_performance", [
        *key("sales_rep_id"), between("win_rate", 0, 1), at_least("opportunities", "won"),
    ]),
    Suite("fct_service_load_monthly", "marts.fct_service_load_monthly", [
        *key("service_load_id"), at_least("tickets_opened", "tickets_closed"), between("mean_satisfaction_score", 1, 5),
    ]),
]

# Columns derived in pandas before validation, for expectations that compare expressions.
DERIVED_COLUMNS: dict[str, dict[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "stg_crm__order_items": {"unit_price_x_quantity": lambda f: f["unit_price"] * f["quantity"]},
    "rpt_customer_value_pyramid": {
        "customer_share_gap": lambda f: (f["customer_share"] - f["value_tier"].map(TIER_TARGET_SHARES)).abs(),
    },
    "fct_channel_performance_monthly": {
        "month_share_total": lambda f: f.groupby("month_start")["month_revenue_share"].transform("sum"),
    },
    "fct_customer_lifetime_value": {
        "ltv_consistency_gap": lambda f: f["undiscounted_ltv"] - (f["historical_contribution"] - f["acquisition_cost"]),
    },
}
