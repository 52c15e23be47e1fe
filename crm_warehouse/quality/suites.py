"""Expectation suites, kept as code: one suite per validated relation.

Each expectation is written as (expectation class name, keyword arguments) so that the suites
read like a table and this module imports without Great Expectations (which costs ~2 s).
``checks.py`` turns them into GX expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
        value_set("channel_code", [*CHANNEL_CODES, "unknown"]),
        value_set("channel_code", CHANNEL_CODES, mostly=0.95),  # 'unknown' stays a small minority
        value_set("order_status", ORDER_STATUSES),
        value_set("currency_code", ["USD", "EUR", "GBP", "CNY"]),
        between("loaded_copies", 1, 3),
    ]),
    Suite("stg_crm__order_items", "staging.stg_crm__order_items", [
        *key("order_item_id"),
        between("unit_price", 0, None),
        between("quantity", 1, None, mostly=0.99),  # invalid lines are quarantined, and rare
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

# Columns derived in pandas before validation, for expectations that compare expressions.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "stg_crm__order_items": {"unit_price_x_quantity": "unit_price * quantity"},
}
