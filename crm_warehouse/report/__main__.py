"""Command line: python -m crm_warehouse.report [--database PATH] [--output PATH] [--quality-json PATH]."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .build import build_report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crm_warehouse.report",
                                     description="Write one self-contained HTML report from the warehouse's marts.")
    database = Path(os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
    parser.add_argument("--database", type=Path, default=database,
                        help="DuckDB warehouse, opened read-only (default: $CRM_DUCKDB_PATH or warehouse/crm.duckdb)")
    parser.add_argument("--output", type=Path, default=Path("target/report/crm_report.html"),
                        help="HTML file to write (default: target/report/crm_report.html)")
    parser.add_argument("--quality-json", type=Path, default=Path("target/gx/quality.json"),
                        help="Great Expectations results of `python -m crm_warehouse.quality` "
                             "(default: target/gx/quality.json; if absent the panel says 'not run')")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    build_report(args.database, args.output, args.quality_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
