"""Runs the expectation suites against the built DuckDB warehouse and writes their results.

    python -m crm_warehouse.quality [--database warehouse/crm.duckdb] [--docs-dir target/gx]

The database is opened read-only and each relation is read into a pandas frame (GX's
SQLAlchemy route for DuckDB is broken upstream). Results go to <docs-dir>/quality.html, one
self-contained page that reads offline (GX's own Data Docs load their scripts from CDNs, so
offline their index is empty): every table, every expectation, and for a failed one its
unexpected count and sample values; the same as JSON in <docs-dir>/quality.json. GX's Data Docs
are still built beside them, in <docs-dir>/data_docs, for this run's results only. Exits 1 when
any expectation fails.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from decimal import Decimal

import pandas as pd

from ..warehouse_lock import connect as connect_warehouse
from .suites import DERIVED_COLUMNS, SUITES, Suite

DEFAULT_DATABASE = Path(os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
DEFAULT_DOCS_DIR = Path("target/gx")


SAMPLE_SIZE = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # GX's type, e.g. expect_column_values_to_be_in_set
    column: str  # '' for a table-level expectation
    success: bool
    unexpected_count: int | None  # rows breaking a per-row expectation; None for an aggregate one
    sample: list[str]  # up to SAMPLE_SIZE of the unexpected values, as text
    observed: str  # the observed value of an aggregate expectation (row count, ...), as text


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: list[str]
    relation: str = ""
    rows: int = 0
    outcomes: list[ExpectationOutcome] = field(default_factory=list)


def read_frames(database: Path, suites: list[Suite]) -> dict[str, pd.DataFrame]:
    """Read every relation the suites validate, read-only, converting decimals to floats."""
    frames: dict[str, pd.DataFrame] = {}
    with connect_warehouse(database, read_only=True) as con:  # one line, not a traceback, if in use
        for suite in suites:
            frame = con.execute(f"select * from {suite.relation}").df()
            frames[suite.name] = _with_derived_columns(suite.name, _decimals_to_float(frame))
    return frames


def _decimals_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB decimals arrive as Python Decimal objects; GX's numeric checks want floats."""
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(lambda v: isinstance(v, Decimal)).any():
            frame[column] = frame[column].astype("float64")
    return frame


def _with_derived_columns(suite_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    for column, derive in DERIVED_COLUMNS.get(suite_name, {}).items():
        frame[column] = derive(frame)
    return frame


def data_docs_dir(docs_dir: Path) -> Path:
    """Where GX's Data Docs site goes (its index.html)."""
    return docs_dir / "data_docs"


def validate(frames: dict[str, pd.DataFrame], suites: list[Suite], docs_dir: Path | None) -> list[SuiteResult]:
    """Validate each frame against its suite; build Data Docs into docs_dir if given.

    The context is ephemeral: suites and results live in memory for this run. A file context
    kept every run's results and re-rendered all of them into the Data Docs (after 14 runs:
    463 stored results, 10 s instead of 7), and rewrote its YAML config for every table. The Data
    Docs site is written afresh, so it shows the warehouse as it is, like quality.html.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # imported lazily: it takes about 2 s

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    if docs_dir is not None:
        site = data_docs_dir(docs_dir)
        shutil.rmtree(site, ignore_errors=True)
        context.update_data_docs_site(site_name="local_site", site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site.resolve())},
        })
    source = context.data_sources.add_or_update_pandas("crm_warehouse")
    results: list[SuiteResult] = []
    for suite in suites:
        expectations = [getattr(gx.expectations, name)(**kwargs) for name, kwargs in suite.expectations]
        gx_suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite.name, expectations=expectations))
        asset = source.add_dataframe_asset(name=suite.name)
        batch_definition = asset.add_batch_definition_whole_dataframe("whole_table")
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite)
        )
        outcome = definition.run(batch_parameters={"dataframe": frames[suite.name]})
        outcomes = [_outcome(r) for r in outcome.results]
        failed = [f"{o.expectation}({o.column})" for o in outcomes if not o.success]
        results.append(SuiteResult(suite.name, bool(outcome.success), len(outcomes), failed,
                                   suite.relation, len(frames[suite.name]), outcomes))
    if docs_dir is not None:
        context.build_data_docs()
    return results


def _outcome(result: Any) -> ExpectationOutcome:
    """One GX expectation result as a plain record."""
    details = result.result or {}
    sample = [_as_text(value) for value in (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]]
    observed = details.get("observed_value")
    return ExpectationOutcome(
        expectation=result.expectation_config.type,
        column=str(result.expectation_config.kwargs.get("column", "")),
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        sample=sample,
        observed="" if observed is None else str(observed),
    )


def _as_text(value: Any) -> str:
    """A sample value as a reader should see it: a missing value (None, NaN, NaT) is 'null'."""
    return "null" if value is None or pd.isna(value) else str(value)


PAGE_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.4em 0 1.6em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.fail { color: #b00020; font-weight: 600; }
.ok { color: #1b7f3b; }
code { font-size: 13px; }
"""


def write_results_page(results: list[SuiteResult], path: Path, database: Path | None = None) -> Path:
    """A self-contained HTML page of the results (no scripts, no network), failed suites first."""
    esc = html.escape
    failures = [r for r in results if not r.success]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>CRM warehouse: quality results</title>",
        f"<style>{PAGE_STYLE}</style></head><body>",
        "<h1>CRM warehouse: quality results</h1>",
        f"<p><b class='{'fail' if failures else 'ok'}'>{len(results) - len(failures)} of {len(results)} suites"
        f" passed</b>; Great Expectations, {esc(stamp)}"
        + (f", warehouse <code>{esc(str(database))}</code>" if database else "") + ".</p>",
    ]
    for result in sorted(results, key=lambda r: (r.success, r.suite)):
        status = "<span class='ok'>passed</span>" if result.success else "<span class='fail'>FAILED</span>"
        parts.append(f"<h2 id='{esc(result.suite)}'>{esc(result.suite)}: {status}</h2>")
        parts.append(f"<p>Table <code>{esc(result.relation)}</code>, {result.rows:,} rows, "
                     f"{result.evaluated} expectations, {len(result.failed)} failed.</p>")
        parts.append("<table><tr><th>result</th><th>expectation</th><th>column</th><th>unexpected rows</th>"
                     "<th>sample unexpected values</th><th>observed</th></tr>")
        for o in sorted(result.outcomes, key=lambda o: o.success):
            parts.append(
                f"<tr><td class='{'ok' if o.success else 'fail'}'>{'ok' if o.success else 'FAIL'}</td>"
                f"<td><code>{esc(o.expectation)}</code></td><td>{esc(o.column)}</td>"
                f"<td>{'' if o.unexpected_count is None else f'{o.unexpected_count:,}'}</td>"
                f"<td>{esc(', '.join(o.sample))}</td><td>{esc(o.observed)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE)
    parser.add_argument("--docs-dir", type=Path, default=DEFAULT_DOCS_DIR)
    args = parser.parse_args(argv)
    if not args.database.exists():
        print(f"no warehouse at {args.database}: build it first (make run)", file=sys.stderr)
        return 2
    results = validate(read_frames(args.database, SUITES), SUITES, args.docs_dir)
    for r in results:
        status = "ok  " if r.success else "FAIL"
        print(f"{status} {r.suite:<32} {r.evaluated:>3} expectations" + (f"  failed: {', '.join(r.failed)}" if r.failed else ""))
    for r in results:
        for o in r.outcomes:
            if not o.success:
                found = (f"{o.unexpected_count or 0:,} unexpected, e.g. {', '.join(o.sample)}" if o.sample
                         else f"observed {o.observed}")
                print(f"     {r.relation}.{o.column or '(table)'}: {o.expectation}: {found}")
    failures = sum(not r.success for r in results)
    page = write_results_page(results, args.docs_dir / "quality.html", args.database)
    index = data_docs_dir(args.docs_dir) / "index.html"
    print(f"{len(results) - failures} of {len(results)} suites passed; results: {page} (offline); "
          f"GX Data Docs: {index}")
    return 1 if failures else 0
