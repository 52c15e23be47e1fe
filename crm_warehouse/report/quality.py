"""Data-quality status for the report: the reconciliation checks and the Great Expectations run.

Reconciliation: the dbt tests that prove the numbers add up. Every data test's latest outcome is in
test_failures.test_results (macros/testing/record_test_results.sql): a test missing from it has not
run on this warehouse. A failing test's rows are in a table of its own beside it.
Great Expectations: `python -m crm_warehouse.quality` writes target/gx/quality.json; without that
file the status is "not run", never "passed".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

Status = Literal["passed", "failed", "not run"]
FAILURES_SCHEMA = "test_failures"
RESULTS_TABLE = "test_results"

# (dbt test, what it proves, in business words)
RECONCILIATION_CHECKS: tuple[tuple[str, str], ...] = (
    ("assert_source_rows_reconcile",
     "Every row of the CRM extract is accounted for: loaded, held back with a reason, or a duplicate copy."),
    ("assert_enriched_lines_reconcile_with_staging",
     "No valid order line is lost on its way to the sales figures."),
    ("assert_customer_marts_reconcile",
     "Customer, daily and monthly sales figures add up to the same orders; the value pyramid covers every buyer."),
)


@dataclass(frozen=True)
class CheckStatus:
    name: str
    description: str
    status: Status
    detail: str


def reconciliation_status(con: duckdb.DuckDBPyConnection) -> list[CheckStatus]:
    outcomes: dict[str, tuple[str, int | None]] = {}
    if con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                   [FAILURES_SCHEMA, RESULTS_TABLE]).fetchall()[0][0]:
        outcomes = {name: (status, failures) for name, status, failures in con.execute(
            f"select test_name, status, failures from {FAILURES_SCHEMA}.{RESULTS_TABLE}").fetchall()}
    statuses = []
    for name, description in RECONCILIATION_CHECKS:
        if name not in outcomes or outcomes[name][0] == "skipped":
            statuses.append(CheckStatus(name, description, "not run", "not run on this warehouse"))
            continue
        outcome, failures = outcomes[name]
        if outcome == "pass":
            statuses.append(CheckStatus(name, description, "passed", "adds up"))
        elif outcome == "error":
            statuses.append(CheckStatus(name, description, "failed", "the check itself failed to run"))
        else:
            statuses.append(CheckStatus(name, description, "failed", f"{failures or 0:,} differences found"))
    return statuses


@dataclass(frozen=True)
class GxStatus:
    status: Status
    detail: str
    suites: int = 0
    failed_suites: tuple[str, ...] = ()
    expectations: int = 0
    failed_expectations: tuple[str, ...] = ()


def gx_status(path: Path) -> GxStatus:
    """The Great Expectations results in quality.json, or 'not run' when there is no such file."""
    if not path.is_file():
        return GxStatus("not run", f"not run: no results at {path}")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        return GxStatus("not run", f"not run: {path} is unreadable ({error})")
    if not isinstance(results, list) or not results:
        return GxStatus("not run", f"not run: {path} holds no results")
    failed_suites = tuple(str(r.get("suite")) for r in results if not r.get("success"))
    failed = tuple(f"{r.get('suite')}: {item}" for r in results for item in r.get("failed", []))
    expectations = sum(int(r.get("evaluated", 0)) for r in results)
    when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    status: Status = "failed" if failed_suites else "passed"
    detail = (f"{len(results) - len(failed_suites)} of {len(results)} tables passed all their checks, "
              f"{expectations - len(failed)} of {expectations} checks passed (run {when})")
    return GxStatus(status, detail, len(results), failed_suites, expectations, failed)
