"""Builds the report: reads the marts read-only, draws each figure, writes one HTML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb
import plotly.graph_objects as go

from ..warehouse_lock import connect as connect_warehouse
from .catalog import FIGURES, SECTIONS
from .kpis import KPIS, kpi_tiles
from .page import RenderedFigure, ReportMeta, render_page
from .quality import gx_status, reconciliation_status
from .spec import FigureSpec, read_frame, relation

AS_OF_MART = "rpt_customer_pareto"
AS_OF_QUERY = f"select as_of_date from {relation(AS_OF_MART)}"

Log = Callable[[str], None]


@dataclass(frozen=True)
class ReportSummary:
    output: Path
    figures: int
    kpis: int
    marts: tuple[str, ...]
    size_bytes: int


def report_marts() -> tuple[str, ...]:
    """Every relation the report reads, sorted: the lineage the dbt exposure lists."""
    names = {AS_OF_MART, *(spec.mart for spec in KPIS), *(m for spec in FIGURES for m in spec.marts)}
    return tuple(sorted(names))


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The build's as_of_date, as the marts carry it."""
    rows = con.execute(AS_OF_QUERY).fetchall()
    if not rows or rows[0][0] is None:
        raise SystemExit(f"report: {AS_OF_MART} is empty: no purchases in the warehouse yet")
    return rows[0][0]


def draw(con: duckdb.DuckDBPyConnection, spec: FigureSpec) -> tuple[go.Figure, int]:
    """The figure for one spec, from its query, and the number of rows it plots."""
    frame = read_frame(con, spec.query)
    return spec.build(frame), len(frame)


def write_report(con: duckdb.DuckDBPyConnection, output: Path, quality_json: Path, database_label: str,
                 log: Log = print) -> ReportSummary:
    as_of = as_of_date(con)
    log(f"report: as of {as_of.isoformat()} (from {AS_OF_MART})")
    tiles = kpi_tiles(con)
    log(f"report: {len(tiles)} KPI tiles for {tiles[0].month:%B %Y} vs the month before and a year earlier")
    sections = []
    for section in SECTIONS:
        rendered = []
        for spec in section.figures:
            figure, rows = draw(con, spec)
            rendered.append(RenderedFigure(spec, figure))
            log(f"report: figure {spec.slug}: {rows} rows from {', '.join(spec.marts)}")
        sections.append((section.slug, section.title, rendered))
    reconciliation = reconciliation_status(con)
    log("report: reconciliation: " + ", ".join(f"{c.name} {c.status}" for c in reconciliation))
    gx = gx_status(quality_json)
    log(f"report: Great Expectations: {gx.detail}")
    page = render_page(ReportMeta(as_of, tiles[0].month, database_label), tiles, sections, reconciliation, gx)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return ReportSummary(output.resolve(), len(FIGURES), len(tiles), report_marts(), output.stat().st_size)


def build_report(database: Path, output: Path, quality_json: Path, log: Log = print) -> ReportSummary:
    """Open the warehouse read-only (one line, not a traceback, if a build holds it) and write the report."""
    if not database.is_file():
        raise SystemExit(f"report: {database} does not exist: build the warehouse first (make build)")
    with connect_warehouse(database, read_only=True) as con:
        summary = write_report(con, output, quality_json, database.name, log)
    log(f"report: {summary.figures} figures and {summary.kpis} KPI tiles from {len(summary.marts)} marts "
        f"({summary.size_bytes / 1e6:.1f} MB) -> {summary.output}")
    return summary
