"""KPI tiles: the last complete month against the month before and the same month a year earlier.

Each tile's value is one cell of a monthly mart (fct_sales_monthly or fct_churn_retention_monthly);
the comparisons are the same column in the two other months. Changes are relative for amounts
and counts, and in percentage points for rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb

from .spec import relation

Kind = Literal["money", "count", "rate"]


@dataclass(frozen=True)
class KpiSpec:
    metric: str  # data-metric of the tile
    label: str
    mart: str
    column: str
    kind: Kind
    higher_is_better: bool = True


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("revenue", "Revenue", "fct_sales_monthly", "net_revenue", "money"),
    KpiSpec("margin", "Gross margin", "fct_sales_monthly", "gross_margin", "money"),
    KpiSpec("orders", "Orders", "fct_sales_monthly", "purchases", "count"),
    KpiSpec("active_customers", "Active customers", "fct_sales_monthly", "active_customers", "count"),
    KpiSpec("new_customers", "New customers", "fct_sales_monthly", "new_customers", "count"),
    KpiSpec("average_order_value", "Average order value", "fct_sales_monthly", "average_order_value", "money"),
    KpiSpec("churn_rate", "Churn rate", "fct_churn_retention_monthly", "churn_rate", "rate", higher_is_better=False),
    KpiSpec("reactivated_customers", "Customers won back", "fct_churn_retention_monthly", "reactivated_customers",
            "count"),
)

LAST_COMPLETE_MONTH_QUERY = f"select max(month_start) from {relation('fct_sales_monthly')} where is_complete_month"


@dataclass(frozen=True)
class Comparison:
    against: date  # month compared with
    value: float | None
    change: float | None  # relative change, or percentage points (as a fraction) for a rate


@dataclass(frozen=True)
class KpiTile:
    spec: KpiSpec
    month: date
    value: float | None
    vs_previous_month: Comparison
    vs_last_year: Comparison


def shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month(con: duckdb.DuckDBPyConnection) -> date:
    (month,) = con.execute(LAST_COMPLETE_MONTH_QUERY).fetchall()[0]
    if month is None:
        raise SystemExit("report: fct_sales_monthly has no complete month yet")
    return month


def month_value(con: duckdb.DuckDBPyConnection, spec: KpiSpec, month: date) -> float | None:
    """One cell: the KPI's column in the given month (None if the mart has no such month)."""
    rows = con.execute(f"select {spec.column} from {relation(spec.mart)} where month_start = ?", [month]).fetchall()
    return None if not rows or rows[0][0] is None else float(rows[0][0])


def change(spec: KpiSpec, value: float | None, before: float | None) -> float | None:
    if value is None or before is None:
        return None
    if spec.kind == "rate":
        return value - before
    return None if before == 0 else value / before - 1


def tile(con: duckdb.DuckDBPyConnection, spec: KpiSpec, month: date) -> KpiTile:
    value = month_value(con, spec, month)
    comparisons = []
    for months_back in (1, 12):
        against = shift_month(month, -months_back)
        before = month_value(con, spec, against)
        comparisons.append(Comparison(against, before, change(spec, value, before)))
    return KpiTile(spec, month, value, comparisons[0], comparisons[1])


def kpi_tiles(con: duckdb.DuckDBPyConnection) -> list[KpiTile]:
    month = last_complete_month(con)
    return [tile(con, spec, month) for spec in KPIS]
