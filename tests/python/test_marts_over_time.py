"""Rebuilding as of past dates: as_of_date drives every mart, and the SCD2 history works.

Builds a separate warehouse (seeds, models and the snapshot; dbt tests run in `make test`)
first as of 2024-06-30 and then as of the data's own last date, as a scheduled job would
over time, and checks what an analyst would rely on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAST = "2024-06-30"


def dbt(args: list[str], database: Path) -> None:
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    executable = Path(sys.executable).parent / "dbt"
    subprocess.run([str(executable), *args, "--quiet", "--target-path", str(database.parent / "target")],
                   cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="module")
def history_warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    database = tmp_path_factory.mktemp("history") / "crm.duckdb"
    dbt(["seed"], database)
    build = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
             "--exclude-resource-type", "seed"]
    dbt([*build, "--vars", f"{{as_of_date: '{PAST}'}}"], database)
    with duckdb.connect(str(database), read_only=True) as con:
        past = {
            "as_of": con.execute("select distinct as_of_date from marts.dim_customers").fetchall(),
            "last_purchase": con.execute("select max(last_purchase_on) from marts.dim_customers").fetchall(),
            "last_month": con.execute("select max(month_start) from marts.fct_sales_monthly").fetchall(),
            "stages": con.execute(
                "select customer_key, lifecycle_stage from marts.dim_customers order by 1").fetchall(),
        }
    dbt(build, database)
    with duckdb.connect(str(database), read_only=True) as con:
        now = {
            "stages": con.execute(
                "select customer_key, lifecycle_stage from marts.dim_customers order by 1").fetchall(),
            "history": con.execute(
                """select customer_key, count(*) as versions, sum(case when is_current then 1 else 0 end) as current
                   from marts.dim_customers_history group by 1""").fetchall(),
            "order_lines_missing": con.execute(
                """select count(*) from (
                       select order_item_id, order_status, net_revenue, recognized_margin
                       from intermediate.int_order_items__enriched
                       where ordered_on <= (select as_of_date from intermediate.int_calendar__as_of_date)
                       except
                       select order_item_id, order_status, net_revenue, recognized_margin from marts.fct_order_lines
                   )""").fetchall(),
            "order_lines_extra": con.execute(
                """select count(*) from (
                       select order_item_id, order_status, net_revenue, recognized_margin from marts.fct_order_lines
                       except
                       select order_item_id, order_status, net_revenue, recognized_margin
                       from intermediate.int_order_items__enriched
                       where ordered_on <= (select as_of_date from intermediate.int_calendar__as_of_date)
                   )""").fetchall(),
            "past_state": con.execute(
                f"""select customer_key, lifecycle_stage from marts.dim_customers_history
                    where valid_from <= date '{PAST}' and (valid_to > date '{PAST}' or valid_to is null)
                    order by 1""").fetchall(),
        }
    return {**{f"past_{k}": v for k, v in past.items()}, **now}


def test_as_of_date_var_fixes_today(history_warehouse: dict[str, list[tuple]]) -> None:
    assert [str(d) for (d,) in history_warehouse["past_as_of"]] == [PAST]
    assert str(history_warehouse["past_last_purchase"][0][0]) <= PAST
    assert str(history_warehouse["past_last_month"][0][0]) == "2024-06-01"


def test_history_keeps_one_current_version_per_customer(history_warehouse: dict[str, list[tuple]]) -> None:
    history = history_warehouse["history"]
    assert all(current == 1 for _, _, current in history)
    assert any(versions > 1 for _, versions, _ in history), "no customer changed between the two builds"


def test_history_answers_what_the_past_build_said(history_warehouse: dict[str, list[tuple]]) -> None:
    """Querying the history at the past date gives the state the past build computed."""
    past = dict(history_warehouse["past_stages"])
    queried = dict(history_warehouse["past_state"])
    assert queried == {key: stage for key, stage in past.items() if key in queried}
    assert len(queried) == len(past)
    assert history_warehouse["stages"] != history_warehouse["past_stages"]


def test_incremental_order_lines_equal_a_full_refresh(history_warehouse: dict[str, list[tuple]]) -> None:
    """The second build loaded fct_order_lines incrementally on top of the past build's rows:
    it must hold exactly the rows a full refresh gives (the enriched lines up to as_of_date)."""
    assert history_warehouse["order_lines_missing"] == [(0,)]
    assert history_warehouse["order_lines_extra"] == [(0,)]
