"""Rebuilding as of past dates, what-if builds and the SCD2 history.

Builds a separate warehouse the way a team uses it: the scheduled build (records history), the
README's rebuild as of a past date on top of it with every dbt test (must pass, and must not
touch the history), a what-if build with a changed rule (must not touch the history either), a
deliberate backfill of the past date (records it), and the scheduled build again.
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
NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
HISTORY = "select * from snapshots.snap_customer_state order by dbt_scd_id"


def dbt(args: list[str], database: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    executable = Path(sys.executable).parent / "dbt"
    return subprocess.run([str(executable), *args, "--quiet", "--no-use-colors",
                           "--target-path", str(database.parent / "target")],
                          cwd=ROOT, env=env, check=check, capture_output=True, text=True)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def history_warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    database = tmp_path_factory.mktemp("history") / "crm.duckdb"
    build = ["build", "--exclude-resource-type", "seed"]
    dbt(["seed"], database)
    # History as a team records it: a backfill of the past date, then the scheduled build.
    dbt([*build, *NO_TESTS, "--vars", f"{{as_of_date: '{PAST}', record_history: true}}"], database)
    dbt([*build, *NO_TESTS], database)
    recorded = query(database, HISTORY)
    now_stages = query(database, "select customer_key, lifecycle_stage from marts.dim_customers order by 1")
    # The README's past-date rebuild, on the warehouse the scheduled build left, with every test.
    past_build = dbt([*build, "--vars", f"{{as_of_date: '{PAST}'}}"], database, check=False)
    assert past_build.returncode == 0, past_build.stdout[-3000:]
    past = {
        "as_of": query(database, "select distinct as_of_date from marts.dim_customers"),
        "last_purchase": query(database, "select max(last_purchase_on) from marts.dim_customers"),
        "last_month": query(database, "select max(month_start) from marts.fct_sales_monthly"),
        "signed_up_later": query(database, f"select count(*) from marts.dim_customers where signed_up_on > '{PAST}'"),
        "stages": query(database, "select customer_key, lifecycle_stage from marts.dim_customers order by 1"),
        "history": query(database, HISTORY),
    }
    # A what-if build: a changed rule computes new marts and records nothing.
    dbt([*build, *NO_TESTS, "--vars", "{rfm_window_days: 90}"], database)
    what_if = {
        "what_if_history": query(database, HISTORY),
        "what_if_segments": query(database, "select customer_key, rfm_segment from marts.dim_customers order by 1"),
        "what_if_history_differs": query(database, """
            select count(*) from marts.dim_customers
            inner join marts.dim_customers_history as history
                on history.customer_key = dim_customers.customer_key and history.is_current
            where history.rfm_segment is distinct from dim_customers.rfm_segment"""),
    }
    refused = dbt([*build, *NO_TESTS, "--vars", "{record_history: true, rfm_window_days: 90}"], database,
                  check=False)
    dbt([*build, *NO_TESTS], database)
    now = {
        "stages": query(database, "select customer_key, lifecycle_stage from marts.dim_customers order by 1"),
        "segments": query(database, "select customer_key, rfm_segment from marts.dim_customers order by 1"),
        "final_history": query(database, HISTORY),
        "history": query(database, """
            select customer_key, count(*) as versions, sum(case when is_current then 1 else 0 end) as current
            from marts.dim_customers_history group by 1"""),
        "past_state": query(database, f"""
            select customer_key, lifecycle_stage from marts.dim_customers_history
            where valid_from <= date '{PAST}' and (valid_to > date '{PAST}' or valid_to is null)
            order by 1"""),
    }
    return {"recorded": recorded, "now_stages": now_stages,
            "refused": [(refused.returncode, refused.stdout + refused.stderr)],
            **{f"past_{k}": v for k, v in past.items()}, **what_if, **now}


def test_as_of_date_var_fixes_today(history_warehouse: dict[str, list[tuple]]) -> None:
    assert [str(d) for (d,) in history_warehouse["past_as_of"]] == [PAST]
    assert str(history_warehouse["past_last_purchase"][0][0]) <= PAST
    assert str(history_warehouse["past_last_month"][0][0]) == "2024-06-01"
    assert history_warehouse["past_signed_up_later"] == [(0,)], "customers who signed up after as_of_date"


def test_history_keeps_one_current_version_per_customer(history_warehouse: dict[str, list[tuple]]) -> None:
    history = history_warehouse["history"]
    assert all(current == 1 for _, _, current in history)
    assert any(versions > 1 for _, versions, _ in history), "no customer changed between the two builds"


def test_history_answers_what_the_past_build_said(history_warehouse: dict[str, list[tuple]]) -> None:
    """Querying the history at the past date gives the state the past build computed."""
    past = dict(history_warehouse["past_stages"])
    queried = dict(history_warehouse["past_state"])
    assert queried == past
    assert history_warehouse["stages"] != history_warehouse["past_stages"]
    assert history_warehouse["stages"] == history_warehouse["now_stages"]


def test_past_date_and_what_if_builds_record_no_history(history_warehouse: dict[str, list[tuple]]) -> None:
    recorded = history_warehouse["recorded"]
    assert recorded, "the scheduled build recorded no history"
    assert history_warehouse["past_history"] == recorded, "the past-date rebuild wrote history"
    assert history_warehouse["what_if_history"] == recorded, "the what-if build wrote history"
    assert history_warehouse["final_history"] == recorded, "an unchanged scheduled build wrote history"
    # The what-if build did change the marts, and its history shows that state, unrecorded.
    assert history_warehouse["what_if_segments"] != history_warehouse["segments"]
    assert history_warehouse["what_if_history_differs"] == [(0,)]


def test_record_history_with_other_vars_is_refused(history_warehouse: dict[str, list[tuple]]) -> None:
    returncode, output = history_warehouse["refused"][0]
    assert returncode != 0
    assert "record_history: true records history as of as_of_date and takes no other vars" in output
    assert "rfm_window_days" in output
