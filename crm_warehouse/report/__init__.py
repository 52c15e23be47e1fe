"""One self-contained HTML report on the CRM warehouse, for business readers.

    python -m crm_warehouse.report [--database warehouse/crm.duckdb] [--output target/report/crm_report.html]
                                   [--quality-json target/gx/quality.json]

Opens the DuckDB warehouse read-only and draws, from the marts: KPI tiles for the last complete
month (vs the month before and the same month last year), the revenue trend, the value pyramid
and Pareto line, RFM segments, lifecycle moves, churn, cohort retention, the predictions (the
churn-offer decision, model accuracy over time, behaviour clusters), channel mix, multichannel
value, campaign returns, the sales funnel and win rate by rep, service load and satisfaction,
products bought together, and a data-quality panel (quarantined rows, reconciliation checks and
the Great Expectations run). Plotly's script is inlined once, so the page works offline.

Each figure is a FigureSpec (spec.py): title, one-line caption, the marts it reads, the one SQL
query over them and the function that draws the figure; catalog.py lists them in page order.
"""

from .build import build_report, report_marts
from .catalog import FIGURES, SECTIONS

__all__ = ["FIGURES", "SECTIONS", "build_report", "report_marts"]
