"""Runs the expectation suites against the built DuckDB warehouse and writes Data Docs.

    python -m crm_warehouse.quality [--database warehouse/crm.duckdb] [--docs-dir target/gx]

The database is opened read-only and each relation is read into a pandas frame (GX's
SQLAlchemy route for DuckDB is broken upstream). Exits 1 when any expectation fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from decimal import Decimal

import pandas as pd

from ..warehouse_lock import connect as connect_warehouse
from .suites import DERIVED_COLUMNS, SUITES, Suite

DEFAULT_DATABASE = Path(os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
DEFAULT_DOCS_DIR = Path("target/gx")


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: list[str]


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


def validate(frames: dict[str, pd.DataFrame], suites: list[Suite], docs_dir: Path | None) -> list[SuiteResult]:
    """Validate each frame against its suite; build Data Docs into docs_dir if given."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # imported lazily: it takes about 2 s

    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_dir))
    else:
        context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
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
        failed = [
            f"{r.expectation_config.type}({r.expectation_config.kwargs.get('column', '')})"
            for r in outcome.results if not r.success
        ]
        results.append(SuiteResult(suite.name, bool(outcome.success), len(outcome.results), failed))
    if docs_dir is not None:
        context.build_data_docs()
    return results


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
    failures = sum(not r.success for r in results)
    index = args.docs_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    print(f"{len(results) - failures} of {len(results)} suites passed; Data Docs: {index}")
    return 1 if failures else 0
