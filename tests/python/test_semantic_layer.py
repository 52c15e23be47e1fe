"""The semantic layer (models/semantic) answers with the marts' own figures.

MetricFlow's `mf` runs in a scratch dbt project: a fresh `dbt parse` writes its
semantic_manifest.json (mf reads <project>/target/semantic_manifest.json and nothing else), and a
profile of its own opens the warehouse read-only, beside this session's read-only connection.
`mf validate-configs` checks the configuration against the warehouse; then saved queries of the
KPI pack and a few more queries run (in parallel: mf needs a few seconds to start) and each
result is compared, row by row, with an independent SQL query on the marts. Amounts in the
marts are rounded to the cent and the same sums come back exactly; rates are compared to float
rounding, and a figure the mart rounds (average order value) or computes from unrounded amounts
(return on budget) to that rounding.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

Key = tuple[Any, ...]
Table = dict[Key, dict[str, Any]]

# name -> mf query arguments; every result is written to <name>.csv.
QUERIES: dict[str, list[str]] = {
    "sales_monthly": ["--saved-query", "kpi_sales_monthly"],
    "sales_by_channel": ["--saved-query", "kpi_sales_by_channel_monthly"],
    "customer_base": ["--saved-query", "kpi_customer_base_monthly"],
    "funnel_by_rep": ["--saved-query", "kpi_sales_funnel_by_rep"],
    "campaigns": ["--saved-query", "kpi_campaigns"],
    "value_by_tier": ["--saved-query", "kpi_customer_value_by_tier"],
    "sales_by_category": ["--metrics", "revenue,margin,units_sold,active_customers",
                          "--group-by", "metric_time__month,product__category_name"],
    "service_by_row": ["--metrics", "tickets,satisfaction_score,satisfaction_index",
                       "--group-by", "metric_time__month,channel,service_load__ticket_category"],
    "service_by_quarter": ["--metrics", "tickets,satisfaction_score,satisfaction_index",
                           "--group-by", "metric_time__quarter"],
    "revenue_by_fiscal_year": ["--metrics", "revenue,orders", "--group-by", "metric_time__fiscal_year"],
    "churn_risk_by_stage": ["--metrics", "predicted_churn_rate,expected_churners,contribution_at_risk",
                            "--group-by", "churn_score__lifecycle_stage"],
    "future_value_by_tier": ["--metrics", "expected_future_margin,mean_p_alive,expected_purchases_next_year",
                             "--group-by", "customer__value_tier"],
}


# --- running mf ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mf_project(tmp_path_factory: pytest.TempPathFactory, warehouse_path: Path) -> Path:
    """A scratch project mf can run in: the semantic manifest of a fresh parse, a read-only profile."""
    project = tmp_path_factory.mktemp("metricflow")
    (project / "dbt_project.yml").symlink_to(ROOT / "dbt_project.yml")
    # The relations in the manifest name the database after the file, so parse for this file.
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "CRM_DUCKDB_PATH": str(warehouse_path)}
    subprocess.run([str(BIN / "dbt"), "parse", "--quiet", "--target-path", str(project / "target")],
                   cwd=ROOT, env=env, check=True)
    profile = {"crm_warehouse": {"target": "duckdb", "outputs": {"duckdb": {
        "type": "duckdb", "path": str(warehouse_path), "schema": "main", "threads": 1,
        "config_options": {"access_mode": "READ_ONLY"},
    }}}}
    (project / "profiles.yml").write_text(json.dumps(profile))  # JSON is YAML
    return project


def run_mf(project: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_PROFILES_DIR": str(project), "DBT_PROJECT_DIR": str(project)}
    return subprocess.run([str(BIN / "mf"), *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def mf_runs(mf_project: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """`mf validate-configs` and every query of QUERIES, a few at a time."""
    jobs = {"validate-configs": ["validate-configs"]}
    jobs |= {name: ["query", *args, "--csv", str(mf_project / f"{name}.csv"), "--quiet"]
             for name, args in QUERIES.items()}
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        futures = {name: pool.submit(run_mf, mf_project, args) for name, args in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def mf_result(mf_project: Path, mf_runs: dict[str, subprocess.CompletedProcess[str]], name: str,
              keys: Iterable[str]) -> Table:
    """The rows of one query's CSV by their key columns, numbers as floats (empty: None)."""
    run = mf_runs[name]
    assert run.returncode == 0, f"mf query {name} failed:\n{run.stdout}\n{run.stderr}"
    keys = list(keys)
    with open(mf_project / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert rows, f"mf query {name} returned no rows"
    table: Table = {}
    for row in rows:
        key = tuple(row[k][:10] if k.startswith("metric_time") else row[k] for k in keys)
        assert key not in table, f"{name}: two rows for {key}"
        table[key] = {c: None if v == "" else float(v) for c, v in row.items() if c not in keys}
    return table


def mart_rows(warehouse: duckdb.DuckDBPyConnection, sql: str, keys: int) -> Table:
    """An independent query on the marts: its first `keys` columns (as text) key the rows."""
    cursor = warehouse.execute(sql)
    columns = [d[0] for d in cursor.description]
    table: Table = {}
    for row in cursor.fetchall():
        key = tuple("" if v is None else str(v) for v in row[:keys])
        table[key] = {c: None if v is None else float(v) for c, v in zip(columns[keys:], row[keys:])}
    return table


def assert_matches(actual: Table, expected: Table, tolerances: dict[str, float] | None = None,
                   default_tolerance: float = 1e-9) -> None:
    """Same keys and, metric by metric, the same figures (to the tolerance; None only with None).

    A row whose every figure is 0 or None may be missing on either side: mf returns the groups
    that have rows (an order line of a cancelled order makes one, with zeros), a mart those it
    fills (empty days and months) or that have purchases.
    """
    tolerances = tolerances or {}
    assert expected, "the mart query returned no rows"
    missing = [k for k, figures in expected.items() if k not in actual and any(figures.values())]
    extra = [k for k, figures in actual.items() if k not in expected and any(figures.values())]
    assert not missing and not extra, f"rows only in the mart: {missing[:5]}; only in mf: {extra[:5]}"
    differences = []
    for key, figures in expected.items():
        for metric, want in figures.items():
            got = actual.get(key, figures)[metric]
            if want is None or got is None:
                ok = want is None and got is None
            else:
                tolerance = tolerances.get(metric, default_tolerance)
                ok = math.isclose(got, want, rel_tol=default_tolerance, abs_tol=tolerance)
            if not ok:
                differences.append(f"{key} {metric}: mf {got}, mart {want}")
    assert not differences, f"{len(differences)} figures differ:\n" + "\n".join(differences[:20])


# Sums of cents come back exactly; a cent's fraction is float noise in a long sum.
MONEY = 0.0005
# A mean the mart rounds to the cent (half a cent away from zero) differs by up to half a cent.
ROUNDED_TO_CENT = 0.005 + 1e-6


# --- the checks ---------------------------------------------------------------------------

def test_mf_validate_configs(mf_runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    run = mf_runs["validate-configs"]
    assert run.returncode == 0, f"mf validate-configs failed:\n{run.stdout}\n{run.stderr}"


def test_the_comparison_can_fail() -> None:
    expected = {("2024-01-01",): {"revenue": 100.0, "churn_rate": None}}
    assert_matches({("2024-01-01",): {"revenue": 100.0, "churn_rate": None}}, expected, {"revenue": MONEY})
    for wrong in ({("2024-01-01",): {"revenue": 100.01, "churn_rate": None}},
                  {("2024-01-01",): {"revenue": 100.0, "churn_rate": 0.0}},
                  {("2024-02-01",): {"revenue": 100.0, "churn_rate": None}}):
        with pytest.raises(AssertionError):
            assert_matches(wrong, expected, {"revenue": MONEY})


def test_sales_kpis_by_month_equal_fct_sales_monthly(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "sales_monthly", ["metric_time__month"])
    expected = mart_rows(warehouse, """
        select month_start, net_revenue as revenue, gross_margin as margin, purchases as orders,
               active_customers, new_customers, average_order_value,
               cast(gross_margin as double) / nullif(net_revenue, 0) as margin_rate
        from marts.fct_sales_monthly""", 1)
    assert_matches(actual, expected, {"revenue": MONEY, "margin": MONEY, "average_order_value": ROUNDED_TO_CENT})


def test_sales_kpis_by_channel_and_month_equal_fct_channel_performance_monthly(mf_project, mf_runs,
                                                                              warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "sales_by_channel", ["metric_time__month", "channel__channel_name"])
    expected = mart_rows(warehouse, """
        select performance.month_start, channels.channel_name, performance.net_revenue as revenue,
               performance.gross_margin as margin, performance.purchases as orders,
               performance.customers as active_customers, performance.average_order_value
        from marts.fct_channel_performance_monthly as performance
        left join marts.dim_channels as channels on performance.channel_code = channels.channel_code""", 2)
    assert_matches(actual, expected, {"revenue": MONEY, "margin": MONEY, "average_order_value": ROUNDED_TO_CENT})


def test_churn_and_retention_by_month_equal_fct_churn_retention_monthly(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "customer_base", ["metric_time__month"])
    expected = mart_rows(warehouse, """
        select month_start, active_customers_at_start as active_customers_at_month_start,
               churned_customers, reactivated_customers, churn_rate, retention_rate
        from marts.fct_churn_retention_monthly""", 1)
    assert_matches(actual, expected)


def test_win_rate_conversion_and_pipeline_by_rep_equal_the_marts(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "funnel_by_rep", ["sales_rep", "sales_rep__team"])
    # Reps without a lead or an opportunity have no funnel rows: mf has no row for them.
    expected = mart_rows(warehouse, """
        select reps.sales_rep_id, reps.team, reps.leads, reps.opportunities, reps.won as deals_won,
               reps.win_rate, reps.won_amount, reps.pipeline_amount as pipeline_value,
               reps.weighted_pipeline as weighted_pipeline_value
        from marts.fct_sales_rep_performance as reps
        where reps.leads + reps.opportunities > 0""", 2)
    assert_matches({k: {m: v[m] for m in next(iter(expected.values()))} for k, v in actual.items()},
                   expected, {"won_amount": MONEY, "pipeline_value": MONEY, "weighted_pipeline_value": MONEY})
    conversion = mart_rows(warehouse, """
        select funnel.owner_sales_rep_id, reps.team,
               cast(sum(qualified_leads) as double) / nullif(sum(funnel.leads), 0) as lead_qualification_rate,
               cast(sum(reached_qualification) as double) / nullif(sum(funnel.opportunities), 0)
                   as prospecting_to_qualification_rate,
               cast(sum(reached_proposal) as double) / nullif(sum(reached_qualification), 0)
                   as qualification_to_proposal_rate,
               cast(sum(reached_negotiation) as double) / nullif(sum(reached_proposal), 0)
                   as proposal_to_negotiation_rate
        from marts.fct_sales_funnel as funnel
        inner join marts.fct_sales_rep_performance as reps on funnel.owner_sales_rep_id = reps.sales_rep_id
        group by funnel.owner_sales_rep_id, reps.team""", 2)
    assert_matches({k: {m: v[m] for m in next(iter(conversion.values()))} for k, v in actual.items()}, conversion)


def test_campaign_kpis_by_campaign_equal_fct_campaign_performance(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "campaigns",
                       ["campaign", "campaign__campaign_name", "campaign__campaign_type"])
    expected = mart_rows(warehouse, """
        select campaign_id, campaign_name, campaign_type, budget as campaign_budget, customers_reached,
               attributed_revenue, response_rate as campaign_response_rate, return_on_budget
        from marts.fct_campaign_performance""", 3)
    # The mart's return on budget comes from the unrounded attributed margin; the semantic
    # layer's from the margin in cents: they differ by at most half a cent / budget.
    smallest_budget = min(row["campaign_budget"] for row in expected.values() if row["campaign_budget"])
    assert_matches(actual, expected, {"campaign_budget": MONEY, "attributed_revenue": MONEY,
                                      "return_on_budget": 0.005 / smallest_budget})


def test_lifetime_value_and_repeat_rate_by_value_tier_equal_the_customer_marts(mf_project, mf_runs,
                                                                                warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "value_by_tier", ["customer__value_tier"])
    expected = mart_rows(warehouse, """
        with loyalty as (
            select tiers.value_tier, avg(case when loyalty.is_repeat_buyer then 1.0 else 0.0 end) as repeat_rate
            from marts.fct_customer_loyalty as loyalty
            inner join marts.fct_customer_value_tiers as tiers on loyalty.customer_key = tiers.customer_key
            group by tiers.value_tier
        )
        select tiers.value_tier, sum(ltv.discounted_ltv) as lifetime_value_total,
               avg(ltv.discounted_ltv) as lifetime_value_average,
               sum(ltv.historical_contribution) as historical_contribution,
               sum(ltv.predicted_future_value) as predicted_future_value,
               any_value(loyalty.repeat_rate) as repeat_purchase_rate
        from marts.fct_customer_lifetime_value as ltv
        inner join marts.fct_customer_value_tiers as tiers on ltv.customer_key = tiers.customer_key
        left join loyalty on tiers.value_tier = loyalty.value_tier
        group by tiers.value_tier""", 1)
    assert_matches(actual, expected, {"lifetime_value_total": MONEY, "historical_contribution": MONEY,
                                      "predicted_future_value": MONEY})
    # and the customers behind them are the value pyramid's
    pyramid = dict(warehouse.execute("select value_tier, customers from marts.rpt_customer_value_pyramid").fetchall())
    for (tier,), figures in actual.items():
        customers = figures["lifetime_value_total"] / figures["lifetime_value_average"]
        assert math.isclose(customers, pyramid[tier], rel_tol=1e-9), f"{tier}: {customers} vs {pyramid[tier]}"


def test_revenue_by_product_category_and_month_equal_fct_category_sales_monthly(mf_project, mf_runs,
                                                                               warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "sales_by_category", ["metric_time__month", "product__category_name"])
    expected = mart_rows(warehouse, """
        select sales_month, category_name, net_revenue as revenue, gross_margin as margin, units_sold,
               distinct_buyers as active_customers
        from marts.fct_category_sales_monthly""", 2)
    assert_matches(actual, expected, {"revenue": MONEY, "margin": MONEY})


def test_revenue_by_fiscal_year_equals_fct_sales_daily_by_dim_date(mf_project, mf_runs, warehouse) -> None:
    """The custom granularity fiscal_year comes from the time spine, dim_date."""
    actual = mf_result(mf_project, mf_runs, "revenue_by_fiscal_year", ["metric_time__fiscal_year"])
    expected = mart_rows(warehouse, """
        select dates.fiscal_year, sum(sales.net_revenue) as revenue, sum(sales.purchases) as orders
        from marts.fct_sales_daily as sales
        inner join marts.dim_date as dates on sales.date_day = dates.date_day
        group by dates.fiscal_year""", 1)
    assert_matches(actual, expected, {"revenue": MONEY})


def test_service_kpis_equal_fct_service_load_monthly_rows(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "service_by_row",
                       ["metric_time__month", "channel", "service_load__ticket_category"])
    expected = mart_rows(warehouse, """
        select month_start, channel_code, ticket_category, tickets_opened as tickets,
               mean_satisfaction_score as satisfaction_score, satisfaction_index
        from marts.fct_service_load_monthly""", 3)
    assert_matches(actual, expected)


def test_satisfaction_by_quarter_is_the_mean_over_the_tickets(mf_project, mf_runs, warehouse) -> None:
    """Rolled up, the scores are means over the tickets, not means of the mart rows' means.

    The mart keeps only each row's mean scores; the semantic layer restores their sums from the
    closed tickets (scores come with the closing), so this checks that against the tickets.
    """
    actual = mf_result(mf_project, mf_runs, "service_by_quarter", ["metric_time__quarter"])
    expected = mart_rows(warehouse, """
        select cast(date_trunc('quarter', opened_on) as date) as quarter_start, count(*) as tickets,
               avg(cast(satisfaction_score as double)) as satisfaction_score,
               avg(cast(satisfaction_score as double)) / avg(cast(expectation_score as double))
                   as satisfaction_index
        from intermediate.int_service_tickets__as_of
        group by 1""", 1)
    assert_matches(actual, expected)


def test_churn_risk_by_lifecycle_stage_equals_fct_customer_churn_propensity(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "churn_risk_by_stage", ["churn_score__lifecycle_stage"])
    expected = mart_rows(warehouse, """
        select lifecycle_stage, avg(churn_probability) as predicted_churn_rate,
               sum(churn_probability) as expected_churners,
               sum(expected_contribution_at_risk) as contribution_at_risk
        from marts.fct_customer_churn_propensity
        group by lifecycle_stage""", 1)
    assert_matches(actual, expected, {"contribution_at_risk": MONEY})


def test_probabilistic_future_value_by_value_tier_equals_the_marts(mf_project, mf_runs, warehouse) -> None:
    actual = mf_result(mf_project, mf_runs, "future_value_by_tier", ["customer__value_tier"])
    expected = mart_rows(warehouse, """
        select tiers.value_tier, sum(ltv.discounted_expected_margin) as expected_future_margin,
               avg(ltv.p_alive) as mean_p_alive, sum(ltv.expected_purchases_next_year) as expected_purchases_next_year
        from marts.fct_customer_lifetime_value_probabilistic as ltv
        inner join marts.dim_customers as tiers on ltv.customer_key = tiers.customer_key
        group by tiers.value_tier""", 1)
    assert_matches(actual, expected, {"expected_future_margin": MONEY})
