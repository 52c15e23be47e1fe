"""The report's HTML: one self-contained page with plotly's script inlined once at the top.

Structure the browser test relies on: every chart sits in
<section class="figure" id="fig-<slug>" data-mart="<mart> [<mart> ...]"> with the plotly div inside,
and every KPI tile is <div class="kpi" data-metric="<name>" data-value="<raw number>">.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import plotly.offline

from .kpis import Comparison, KpiTile
from .quality import CheckStatus, GxStatus
from .spec import FigureSpec

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

STYLE = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; background: #f4f6f8; color: #1d2733; }
header { background: #1f4e79; color: white; padding: 24px 40px; }
header h1 { margin: 0 0 6px 0; font-size: 28px; }
header p { margin: 2px 0; opacity: 0.9; }
main { padding: 20px 40px 60px 40px; max-width: 1400px; margin: auto; }
h2 { margin: 36px 0 12px 0; border-bottom: 2px solid #1f4e79; padding-bottom: 4px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 14px; }
.kpi { background: white; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
.kpi .label { font-size: 13px; color: #5b6b7b; text-transform: uppercase; letter-spacing: 0.04em; }
.kpi .value { font-size: 28px; font-weight: 600; margin: 4px 0 8px 0; }
.kpi .change { font-size: 13px; margin: 2px 0; }
.good { color: #1e8449; } .bad { color: #c0392b; } .flat { color: #5b6b7b; }
section.figure, section.panel { background: white; border-radius: 8px; padding: 16px 20px; margin: 14px 0;
  box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
section.figure h3, section.panel h3 { margin: 0 0 4px 0; }
p.caption { margin: 0 0 10px 0; color: #3d4b59; }
p.caption .source { color: #7f8c8d; font-size: 13px; }
table.status { border-collapse: collapse; width: 100%; }
table.status td { padding: 6px 8px; border-top: 1px solid #e5e8eb; vertical-align: top; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  color: white; white-space: nowrap; }
.badge.passed { background: #1e8449; } .badge.failed { background: #c0392b; } .badge.not-run { background: #7f8c8d; }
ul.failures { margin: 6px 0 0 0; font-size: 13px; }
"""


@dataclass(frozen=True)
class ReportMeta:
    as_of_date: date
    kpi_month: date
    database: str


@dataclass(frozen=True)
class RenderedFigure:
    spec: FigureSpec
    figure: go.Figure


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def month_name(month: date) -> str:
    return month.strftime("%B %Y")


def format_value(tile: KpiTile) -> str:
    if tile.value is None:
        return "n/a"
    if tile.spec.kind == "rate":
        return f"{tile.value:.1%}"
    if tile.spec.kind == "money":
        return f"{tile.value:,.2f}" if abs(tile.value) < 1000 else f"{tile.value:,.0f}"
    return f"{tile.value:,.0f}"


def format_change(tile: KpiTile, comparison: Comparison, against: str) -> str:
    if comparison.change is None:
        return f'<p class="change flat">no comparison with {esc(against)}</p>'
    points = tile.spec.kind == "rate"
    text = f"{comparison.change * 100:+.1f} pts" if points else f"{comparison.change:+.1%}"
    rounded = round(comparison.change * 1000)
    arrow = "▲" if rounded > 0 else "▼" if rounded < 0 else "■"
    mood = "flat" if rounded == 0 else "good" if (rounded > 0) == tile.spec.higher_is_better else "bad"
    return f'<p class="change {mood}">{arrow} {esc(text)} vs {esc(against)}</p>'


def raw_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def kpi_html(tile: KpiTile) -> str:
    previous, last_year = tile.vs_previous_month, tile.vs_last_year
    return (
        f'<div class="kpi" data-metric="{esc(tile.spec.metric)}" data-value="{raw_number(tile.value)}" '
        f'data-month="{tile.month.isoformat()}" data-previous-value="{raw_number(previous.value)}" '
        f'data-last-year-value="{raw_number(last_year.value)}" data-change-vs-previous="{raw_number(previous.change)}" '
        f'data-change-vs-last-year="{raw_number(last_year.change)}" data-mart="{esc(tile.spec.mart)}">'
        f'<div class="label">{esc(tile.spec.label)}</div><div class="value">{format_value(tile)}</div>'
        f'{format_change(tile, previous, month_name(previous.against))}'
        f'{format_change(tile, last_year, month_name(last_year.against))}</div>'
    )


def figure_html(rendered: RenderedFigure) -> str:
    spec = rendered.spec
    plot = rendered.figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{spec.slug}",
                                   config=PLOTLY_CONFIG)
    sources = ", ".join(f"<code>{esc(mart)}</code>" for mart in spec.marts)
    return (
        f'<section class="figure" id="fig-{esc(spec.slug)}" data-mart="{esc(" ".join(spec.marts))}">'
        f'<h3>{esc(spec.title)}</h3>'
        f'<p class="caption">{esc(spec.caption)} <span class="source">Source: {sources}.</span></p>'
        f'{plot}</section>'
    )


def badge(status: str) -> str:
    return f'<span class="badge {status.replace(" ", "-")}">{esc(status)}</span>'


def reconciliation_html(checks: list[CheckStatus]) -> str:
    rows = "".join(
        f'<tr class="check" data-check="{esc(c.name)}" data-status="{esc(c.status)}"><td>{badge(c.status)}</td>'
        f'<td>{esc(c.description)} <span class="source">({esc(c.detail)}; check <code>{esc(c.name)}</code>)</span>'
        f'</td></tr>' for c in checks)
    return (
        '<section class="panel" id="panel-reconciliation"><h3>Do the numbers add up?</h3>'
        '<p class="caption">Reconciliation checks run with every build, as of their last run on this warehouse. '
        '<span class="source">Source: <code>test_failures.test_results</code>.</span></p>'
        f'<table class="status">{rows}</table></section>'
    )


def gx_html(gx: GxStatus) -> str:
    failures = "".join(f"<li>{esc(item)}</li>" for item in gx.failed_expectations)
    listing = f'<ul class="failures">{failures}</ul>' if failures else ""
    return (
        f'<section class="panel" id="panel-gx" data-status="{esc(gx.status)}"><h3>Independent quality checks</h3>'
        '<p class="caption">Great Expectations checks of value sets, ranges, keys and row counts on the extract '
        'and the main tables. <span class="source">Source: <code>target/gx/quality.json</code>.</span></p>'
        f'<p>{badge(gx.status)} {esc(gx.detail)}</p>{listing}</section>'
    )


def render_page(meta: ReportMeta, tiles: list[KpiTile], sections: list[tuple[str, str, list[RenderedFigure]]],
                reconciliation: list[CheckStatus], gx: GxStatus) -> str:
    """The whole page. sections: (slug, title, figures) in page order; the quality panels go in 'quality'."""
    body = [f'<h2 id="kpis">{esc(month_name(meta.kpi_month))} at a glance</h2>',
            f'<div class="kpis">{"".join(kpi_html(t) for t in tiles)}</div>']
    for slug, title, figures in sections:
        body.append(f'<h2 id="section-{esc(slug)}">{esc(title)}</h2>')
        body.extend(figure_html(f) for f in figures)
        if slug == "quality":
            body.extend([reconciliation_html(reconciliation), gx_html(gx)])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>CRM report as of {meta.as_of_date.isoformat()}</title><style>{STYLE}</style>'
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script></head><body>'
        f'<header><h1>CRM report</h1>'
        f'<p>Data as of <strong class="as-of-date" data-as-of-date="{meta.as_of_date.isoformat()}">'
        f'{meta.as_of_date.strftime("%d %B %Y")}</strong>. Tiles compare {esc(month_name(meta.kpi_month))}, '
        f'the last complete month, with the month before and the same month last year.</p>'
        f'<p>Amounts in the reporting currency. Warehouse: {esc(meta.database)}</p></header>'
        f'<main>{"".join(body)}</main></body></html>\n'
    )
