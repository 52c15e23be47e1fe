"""The named record every figure of the report is declared with, and helpers its builders share.

A FigureSpec keeps together what a reader sees (title, one-line caption), where the numbers come
from (the marts and the one SQL query over them) and the function that turns the query's rows
into a plotly figure. The tests run the same query and compare it with the plotted data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

import duckdb
import pandas as pd
import plotly.graph_objects as go

# Schema of each relation the report reads: the marts, and the quarantine (a protected view).
SCHEMAS: dict[str, str] = {"int_quarantine__rejected_rows": "intermediate"}
DEFAULT_SCHEMA = "marts"

FIGURE_HEIGHT = 420
COLOURS = ["#1f4e79", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#2e86c1", "#a93226"]


@dataclass(frozen=True)
class FigureSpec:
    slug: str  # the figure's id in the page: section#fig-<slug>
    title: str
    caption: str  # one line, business language: what the figure shows
    marts: tuple[str, ...]  # relations the query reads, the main one first
    query: str  # the one query the figure plots, over schema-qualified relations
    build: Callable[[pd.DataFrame], go.Figure]

    @property
    def mart(self) -> str:
        return self.marts[0]


def relation(name: str) -> str:
    """Schema-qualified relation name, e.g. 'marts.fct_sales_monthly'."""
    return f"{SCHEMAS.get(name, DEFAULT_SCHEMA)}.{name}"


def read_frame(con: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """The query's full result as a pandas frame (decimals arrive as floats)."""
    return con.execute(query).df()


def values(frame: pd.DataFrame, column: str) -> list[Any]:
    """A column as a plain list (dates as ISO text, missing values as None), so the figure's JSON
    holds readable numbers rather than plotly's base64 typed arrays."""
    return [_plain(value) for value in frame[column].tolist()]


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def label(code: str | None) -> str:
    """A code as readers say it: 'potential_loyalists' -> 'Potential loyalists'."""
    if code is None:
        return "Unknown"
    return LABELS.get(code, code.replace("_", " ").capitalize())


LABELS: dict[str, str] = {
    "cannot_lose": "Can't lose them",
    "at_risk": "At risk",
    "unscored": "Not yet scored",
    "key": "Key accounts",
    "major": "Major",
    "ordinary": "Ordinary",
    "small": "Small",
    "multichannel": "Several channels",
    "single_channel": "One channel",
    "call_centre": "Call centre",
    "field_sales": "Field sales",
    "web": "Web shop",
    "app": "App",
    "sms": "SMS",
}

SEGMENT_ORDER = ["champions", "loyal", "potential_loyalists", "new", "at_risk", "cannot_lose", "hibernating", "lost",
                 "unscored"]
LIFECYCLE_ORDER = ["prospect", "new", "developing", "stable", "declining", "churned", "reactivated"]


def layout(figure: go.Figure, **overrides: Any) -> go.Figure:
    """The report's common look: white background, legend on top, readable margins."""
    settings: dict[str, Any] = {
        "template": "plotly_white",
        "height": FIGURE_HEIGHT,
        "margin": {"l": 60, "r": 30, "t": 30, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "colorway": COLOURS,
        "font": {"family": "Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
    }
    settings.update(overrides)
    figure.update_layout(**settings)
    return figure


def ordered(frame: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    """Rows sorted by a fixed business order of a code column (unknown codes last)."""
    rank = {code: position for position, code in enumerate(order)}
    return frame.assign(_rank=frame[column].map(lambda c: rank.get(c, len(order)))).sort_values(
        ["_rank", column], kind="stable").drop(columns="_rank")
