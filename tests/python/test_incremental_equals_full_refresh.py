"""Every incremental model equals a full refresh after the source changes under it.

Builds the project's incremental models (fct_order_lines, and the customer x evaluation date
state and the monthly snapshot, by date) on the seeds, then changes the raw
extract the way real CRM extracts change: new orders on new days, late lines added to an old
order, an order returned 200 days after it was placed, a corrected line, a rejected line, and a
new CRM customer who claims a web-only shopper's email (so that shopper's old lines move to
another customer). Each change carries a new updated_at, as the source would write it; a
restated exchange rate and a restated product cost do not, and a line rewritten by a replaced
extract carries an older one. An incremental run must then hold
exactly, row by row, what a full refresh holds; and again after a run in another reporting
currency.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each incremental model and its schema.
INCREMENTAL_MODELS = {
    "fct_order_lines": "marts",
    "int_customers__metrics_by_date": "intermediate",
    "int_customers__state_by_date": "intermediate",
    "fct_customer_monthly_snapshot": "marts",
}
CHANGED_AT = "2026-01-03 08:00:00"


class Comparison(NamedTuple):
    model: str
    rows: int
    only_incremental: list[tuple]
    only_full_refresh: list[tuple]


def dbt(args: list[str], database: Path) -> None:
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    executable = Path(sys.executable).parent / "dbt"
    subprocess.run([str(executable), *args, "--quiet", "--target-path", str(database.parent / "target")],
                   cwd=ROOT, env=env, check=True)


def change_the_extract(con: duckdb.DuckDBPyConnection) -> None:
    """Apply late rows and late changes to the raw tables, each with a new updated_at."""
    old_order, old_line = con.execute(
        """select orders.order_id, min(items.order_item_id)
           from raw.orders as orders inner join raw.order_items as items using (order_id)
           where lower(trim(orders.order_status)) = 'completed' and orders.ordered_at like '2025-06-%'
           group by 1 order by 1 limit 1""").fetchone()
    web_only_email = con.execute(
        """select web.email from raw.web_accounts as web
           inner join intermediate.int_customers__identity_map as identities
               on identities.source_system = 'web' and identities.source_id = web.web_account_id
           inner join raw.orders as orders on orders.web_account_id = web.web_account_id
           where identities.match_rule = 'web_only' and web.email is not null
           order by web.web_account_id limit 1""").fetchone()[0]
    statements = [
        # rates for the new days, so new orders convert
        f"""insert into raw.exchange_rates
            select cast(rate_date as date) + 3, currency_code, usd_per_unit from raw.exchange_rates
            where rate_date = (select max(rate_date) from raw.exchange_rates)""",
        # new orders on a new day (as_of_date moves forward), each with its lines
        f"""insert into raw.orders select * replace (order_id + 5000000 as order_id,
                '2026-01-03 07:00:00' as ordered_at, '{CHANGED_AT}' as updated_at)
            from raw.orders where order_id in (select order_id from raw.orders order by order_id limit 25)""",
        f"""insert into raw.order_items select * replace (order_item_id + 50000000 as order_item_id,
                order_id + 5000000 as order_id, '{CHANGED_AT}' as updated_at)
            from raw.order_items where order_id in (select order_id from raw.orders order by order_id limit 25)""",
        # a late line added to an order placed half a year ago
        f"""insert into raw.order_items select * replace (order_item_id + 60000000 as order_item_id,
                99 as line_number, '{CHANGED_AT}' as updated_at)
            from raw.order_items where order_item_id = {old_line}""",
        # that order returned months later (a header change only)
        f"""update raw.orders set order_status = 'returned', updated_at = '{CHANGED_AT}'
            where order_id = {old_order}""",
        # a corrected line and a line that becomes invalid (rejected in staging)
        f"""update raw.order_items set quantity = quantity + 1, updated_at = '{CHANGED_AT}'
            where order_item_id = (select min(order_item_id) from raw.order_items where order_id <> {old_order})""",
        f"""update raw.order_items set quantity = 0, updated_at = '{CHANGED_AT}'
            where order_item_id = (select max(order_item_id) from raw.order_items where order_item_id < 50000000)""",
        # a replaced extract: a line's discount differs while its updated_at goes back
        """update raw.order_items set discount_amount = round(unit_price * quantity * 0.13, 2) + 0.01,
                updated_at = '2020-01-01 00:00:00'
            where order_item_id = (select order_item_id from raw.order_items order by order_item_id limit 1 offset 100)""",
        # restatements that leave updated_at alone: an old EUR rate and a product's cost
        """update raw.exchange_rates set usd_per_unit = usd_per_unit * 1.01
            where currency_code = 'EUR' and rate_date = (select min(rate_date) from raw.exchange_rates)""",
        """update raw.products set unit_cost_usd = unit_cost_usd * 1.05
            where product_id = (select min(product_id) from raw.products)""",
        # a new CRM customer with a web-only shopper's email: the shopper's lines change customer
        f"""insert into raw.customers select * replace (customer_id + 900000 as customer_id,
                '{web_only_email}' as email, null as phone, '2025-12-01' as signup_date,
                '{CHANGED_AT}' as updated_at)
            from raw.customers where customer_id = (select min(customer_id) from raw.customers)""",
    ]
    for statement in statements:
        con.execute(statement)


def compare(con: duckdb.DuckDBPyConnection, model: str, incremental: str) -> Comparison:
    def minus(left: str, right: str) -> list[tuple]:
        return con.execute(f"select * from {left} except all select * from {right} limit 20").fetchall()
    full = f"{INCREMENTAL_MODELS[model]}.{model}"
    return Comparison(model, con.execute(f"select count(*) from {full}").fetchone()[0],
                      minus(incremental, full), minus(full, incremental))


def keep_incremental_result(database: Path, suffix: str) -> None:
    with duckdb.connect(str(database)) as con:
        for model in INCREMENTAL_MODELS:
            con.execute(f"create table main.{model}__{suffix} as select * from {INCREMENTAL_MODELS[model]}.{model}")


# The state models rebuild only the dates (months) whose inputs changed: a run without a change
# must leave a stored row alone, even one marked by hand (a full rebuild would overwrite it).
# Each state model and the column that says which date a row belongs to.
STATE_MODELS = {
    "int_customers__metrics_by_date": "evaluation_date",
    "int_customers__state_by_date": "evaluation_date",
    "fct_customer_monthly_snapshot": "month_start",
}


def oldest_rows(model: str) -> str:
    """The condition selecting the rows of the model's oldest date."""
    table, date = f"{INCREMENTAL_MODELS[model]}.{model}", STATE_MODELS[model]
    return f"{date} = (select min({date}) from {table})"


def mark_oldest_date(con: duckdb.DuckDBPyConnection) -> None:
    for model in STATE_MODELS:
        table = f"{INCREMENTAL_MODELS[model]}.{model}"
        con.execute(f"create table main.{model}__oldest as select * from {table} where {oldest_rows(model)}")
        con.execute(f"update {table} set purchases_to_date = -1 where {oldest_rows(model)}")


def unmark_oldest_date(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows still marked per model (all of the oldest date's if it was not rebuilt), then restores them."""
    marked = {}
    for model in STATE_MODELS:
        table = f"{INCREMENTAL_MODELS[model]}.{model}"
        marked[model] = con.execute(f"select count(*) from {table} where purchases_to_date = -1").fetchone()[0]
        con.execute(f"delete from {table} where {oldest_rows(model)}")
        con.execute(f"insert into {table} select * from main.{model}__oldest")
    return marked


class Results(NamedTuple):
    comparisons: list[Comparison]
    marked_rows_kept: dict[str, int]  # per state model, the marked rows a run without change left
    oldest_date_rows: dict[str, int]  # per state model, the rows of its oldest evaluation date


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    database = tmp_path_factory.mktemp("incremental") / "crm.duckdb"
    selection = ["--select", *[f"+{model}" for model in INCREMENTAL_MODELS]]
    in_euros = ["--vars", "{reporting_currency: EUR}"]
    dbt(["seed"], database)
    dbt(["run", *selection], database)
    with duckdb.connect(str(database)) as con:
        mark_oldest_date(con)
        oldest = {model: con.execute(f"select count(*) from main.{model}__oldest").fetchone()[0]
                  for model in STATE_MODELS}
    dbt(["run", *selection], database)
    with duckdb.connect(str(database)) as con:
        kept = unmark_oldest_date(con)
        change_the_extract(con)
    dbt(["run", *selection], database)
    keep_incremental_result(database, "incremental")
    dbt(["run", *selection, *in_euros], database)
    keep_incremental_result(database, "incremental_eur")
    dbt(["run", "--full-refresh", *selection, *in_euros], database)
    with duckdb.connect(str(database)) as con:
        in_eur = [compare(con, model, f"main.{model}__incremental_eur") for model in INCREMENTAL_MODELS]
    dbt(["run", "--full-refresh", *selection], database)
    with duckdb.connect(str(database)) as con:
        comparisons = [compare(con, model, f"main.{model}__incremental") for model in INCREMENTAL_MODELS] + in_eur
    return Results(comparisons, kept, oldest)


def test_the_project_has_no_other_incremental_model() -> None:
    """A new incremental model must join INCREMENTAL_MODELS above, so this test covers it."""
    declared = {path.stem for path in (ROOT / "models").rglob("*.sql")
                if "materialized='incremental'" in path.read_text().replace('"', "'")}
    assert declared == set(INCREMENTAL_MODELS)


def test_a_run_without_change_rebuilds_no_evaluation_date(results: Results) -> None:
    for model in STATE_MODELS:
        assert results.oldest_date_rows[model] > 0
        assert results.marked_rows_kept[model] == results.oldest_date_rows[model], f"{model} rebuilt an unchanged date"


def test_incremental_run_equals_full_refresh_row_by_row(results: Results) -> None:
    for comparison in results.comparisons:
        assert comparison.rows > 0
        assert not comparison.only_incremental, f"{comparison.model}: rows only the incremental run has"
        assert not comparison.only_full_refresh, f"{comparison.model}: rows only the full refresh has"
