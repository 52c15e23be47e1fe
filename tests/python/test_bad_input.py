"""Bad input the warehouse must handle in the models: quarantine with a reason, never a silent change.

Copies the project into a temporary folder, corrupts its seeds the way real extracts go wrong,
builds everything with every test, and checks that each fault ends where the docs say
(models/staging/crm/_stg_crm__docs.md). File-level faults (not UTF-8, empty, missing columns) stop
earlier, in the preflight: tests/python/test_bad_input_files.py.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
COPIED = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "snapshots", "tests", "analyses", "docs"]


# A test that passes on the corrupted extract too.
STALE_FAILURES = "primary_key_dim_products_product_id"


class Planted(NamedTuple):
    """The keys of the rows this test corrupted."""
    order_without_rate: str
    order_in_the_future: str
    line_huge_quantity: str
    line_huge_price: str
    line_huge_amount: str
    conflicting_email: str


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def corrupt(seeds: Path) -> Planted:
    orders_header, orders = read(seeds / "orders.csv")
    items_header, items = read(seeds / "order_items.csv")
    rates_header, rates = read(seeds / "exchange_rates.csv")
    customers_header, customers = read(seeds / "customers.csv")
    web_header, web_accounts = read(seeds / "web_accounts.csv")

    # 1. An EUR order whose day has no EUR rate.
    eur_order = next(o for o in orders if o["currency_code"].strip().upper() == "EUR")
    day = eur_order["ordered_at"][:10]
    rates = [r for r in rates if not (r["rate_date"] == day and r["currency_code"] == "EUR")]
    # 2. An order whose year was mistyped: far beyond every rate.
    future = next(o for o in orders if o["currency_code"].strip().upper() == "USD" and "T" not in o["ordered_at"])
    future["ordered_at"] = "2099" + future["ordered_at"][4:]
    # 3. Implausible lines, on orders of several lines so the orders stay purchases.
    clean_orders = {o["order_id"] for o in orders if o["order_status"] == "completed" and o["channel"] == "web"
                    and o["currency_code"] == "USD" and o["order_id"] != future["order_id"]}
    multi_line = _lines_of_multi_line_orders([i for i in items if i["order_id"] in clean_orders], 3)
    multi_line[0]["quantity"] = "1000000000"
    multi_line[1]["unit_price"] = "5000000"
    multi_line[2]["quantity"], multi_line[2]["unit_price"], multi_line[2]["discount_amount"] = "5000", "5000", "0"
    # 4. Customer B written with customer A's email, where a web account carries A's email.
    web_emails = {w["email"].strip().lower() for w in web_accounts if w["email"]}
    first, second = [c for c in customers if c["email"] and c["email"].strip().lower() in web_emails][:2]
    second["email"] = first["email"]

    write(seeds / "orders.csv", orders_header, orders)
    write(seeds / "order_items.csv", items_header, items)
    write(seeds / "exchange_rates.csv", rates_header, rates)
    write(seeds / "customers.csv", customers_header, customers)
    return Planted(eur_order["order_id"], future["order_id"], multi_line[0]["order_item_id"],
                   multi_line[1]["order_item_id"], multi_line[2]["order_item_id"], first["email"].strip().lower())


def _lines_of_multi_line_orders(items: list[dict[str, str]], n: int) -> list[dict[str, str]]:
    lines_per_order: dict[str, int] = {}
    for item in items:
        lines_per_order[item["order_id"]] = lines_per_order.get(item["order_id"], 0) + 1
    chosen: list[dict[str, str]] = []
    used_orders: set[str] = set()
    for item in items:
        if lines_per_order[item["order_id"]] > 2 and item["order_id"] not in used_orders:
            chosen.append(item)
            used_orders.add(item["order_id"])
        if len(chosen) == n:
            break
    return chosen


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Planted, Path, str]:
    project = tmp_path_factory.mktemp("bad_input") / "project"
    project.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    planted = corrupt(project / "seeds" / "crm")
    database = project / "warehouse" / "crm.duckdb"
    database.parent.mkdir()
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(project)}
    dbt = str(Path(sys.executable).parent / "dbt")
    subprocess.run([dbt, "seed", "--quiet"], cwd=project, env=env, check=True)
    # The rows an earlier failure of a test that passes now would have left (see
    # test_failures_holds_exactly_the_failing_tests).
    with duckdb.connect(str(database)) as con:
        con.execute(f"create schema test_failures; create table test_failures.{STALE_FAILURES} as select 1 as stale")
    build = subprocess.run([dbt, "build", "--exclude-resource-type", "seed", "--no-use-colors"],
                           cwd=project, env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-4000:]
    return planted, database, build.stdout


def quarantine_reason(database: Path, table: str, row_id: str) -> str | None:
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute("""select rejection_reason from intermediate.int_quarantine__rejected_rows
                             where source_table = ? and source_row_id = ?""", [table, row_id]).fetchone()
    return row[0] if row else None


def test_an_order_without_a_rate_for_its_day_is_quarantined(corrupted: tuple[Planted, Path, str]) -> None:
    planted, database, _ = corrupted
    assert quarantine_reason(database, "orders", planted.order_without_rate) == "no_exchange_rate"


def test_an_order_dated_beyond_the_rates_is_quarantined_and_does_not_move_today(
        corrupted: tuple[Planted, Path, str]) -> None:
    planted, database, _ = corrupted
    assert quarantine_reason(database, "orders", planted.order_in_the_future) == "no_exchange_rate"
    with duckdb.connect(str(database), read_only=True) as con:
        as_of = con.execute("select as_of_date from intermediate.int_calendar__as_of_date").fetchone()[0]
    assert str(as_of) < "2099-01-01"


def test_the_lines_of_a_quarantined_order_follow_it(corrupted: tuple[Planted, Path, str]) -> None:
    """Checked against their order in int_order_items__validated: quarantined, not lost in a join."""
    planted, database, _ = corrupted
    with duckdb.connect(str(database), read_only=True) as con:
        lines = con.execute("""select cast(order_item_id as varchar) from staging.stg_crm__order_items
                               where cast(order_id as varchar) in (?, ?)""",
                            [planted.order_without_rate, planted.order_in_the_future]).fetchall()
    assert lines
    assert {quarantine_reason(database, "order_items", line) for (line,) in lines} == {"order_rejected"}


def test_implausible_lines_are_quarantined_with_their_reason(corrupted: tuple[Planted, Path, str]) -> None:
    planted, database, _ = corrupted
    assert quarantine_reason(database, "order_items", planted.line_huge_quantity) == "quantity_above_limit"
    assert quarantine_reason(database, "order_items", planted.line_huge_price) == "unit_price_above_limit"
    assert quarantine_reason(database, "order_items", planted.line_huge_amount) == "line_amount_above_limit"
    with duckdb.connect(str(database), read_only=True) as con:
        biggest = con.execute("select max(gross_revenue) from marts.fct_order_lines").fetchone()[0]
    assert biggest < 1_000_000


def test_a_shared_email_matches_nobody_and_is_reported(corrupted: tuple[Planted, Path, str]) -> None:
    planted, database, output = corrupted
    with duckdb.connect(str(database), read_only=True) as con:
        conflicts = con.execute("""select identity_key, crm_customers, web_accounts_left_apart
                                   from intermediate.int_customers__identity_conflicts""").fetchall()
        matched = con.execute("""select count(*) from intermediate.int_customers__identity_map as identities
                                 inner join staging.stg_crm__web_accounts as web
                                     on identities.source_system = 'web' and identities.source_id = web.web_account_id
                                 where web.email = ? and identities.match_rule = 'email'""",
                              [planted.conflicting_email]).fetchone()[0]
    assert (planted.conflicting_email, 2) in [(key, n) for key, n, _ in conflicts]
    assert matched == 0, "a web account was matched through an email two CRM customers share"
    assert "WARN" in output and "has_no_rows_int_customers__identity_conflicts" in output
    # The warning's rows are in the output, not only in the database (macro show_failed_test_rows).
    shown = re.search(r"WARN has_no_rows_int_customers__identity_conflicts\w*: \d+ rows; the first.*\n(.*)\n(.*)", output)
    assert shown, output[-3000:]
    assert "identity_key" in shown.group(1) and "|" in shown.group(2)


def test_every_purchase_has_a_valid_line(corrupted: tuple[Planted, Path, str]) -> None:
    _, database, _ = corrupted
    with duckdb.connect(str(database), read_only=True) as con:
        empty = con.execute("""select count(*) from intermediate.int_orders__purchases as purchases
                               left join intermediate.int_orders__enriched as orders using (order_id)
                               where orders.line_count = 0""").fetchone()[0]
    assert empty == 0


def test_failures_holds_exactly_the_failing_tests(corrupted: tuple[Planted, Path, str]) -> None:
    """Only a test that finds rows stores them (macros/testing/test_keeping_failing_rows.sql); a
    passing test drops what an earlier failure left; every test's outcome is in test_results."""
    _, database, output = corrupted
    with duckdb.connect(str(database), read_only=True) as con:
        stored = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'test_failures'").fetchall()}
        outcomes = {name: (status, failures) for name, status, failures in con.execute(
            "select test_name, status, failures from test_failures.test_results").fetchall()}
        counts = {name: con.execute(f"select count(*) from test_failures.{name}").fetchone()[0]
                  for name in stored - {"test_results"}}
    reported = dict(re.findall(r"(?m)^\S+\s+(?:WARN|FAIL) (\w+): (\d+) rows; the first", output))
    assert reported, output[-3000:]
    assert STALE_FAILURES in outcomes and outcomes[STALE_FAILURES] == ("pass", 0)
    assert STALE_FAILURES not in stored
    failing = {name for name, (status, _) in outcomes.items() if status != "pass"}
    assert failing == set(reported)
    assert stored == failing | {"test_results"}
    assert counts == {name: int(rows) for name, rows in reported.items()}
    assert {status for status, _ in outcomes.values()} <= {"pass", "warn"}
