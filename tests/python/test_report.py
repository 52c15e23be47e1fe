"""The business report (python -m crm_warehouse.report): its numbers are the marts' numbers.

The report is built once into a temporary folder from the warehouse under test; every check
compares what the page shows (KPI tiles' data-value, the data embedded in the plotly figures)
with an independent query on the mart, so a figure that plots the wrong column, month or sum fails.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import yaml

from crm_warehouse.report import FIGURES, report_marts
from crm_warehouse.report.__main__ import main
from crm_warehouse.report.quality import gx_status, reconciliation_status
from crm_warehouse.report.spec import label

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-9


@dataclass
class Page:
    text: str
    figures: dict[str, dict[str, str]] = field(default_factory=dict)  # slug -> attributes of section.figure
    kpis: dict[str, dict[str, str]] = field(default_factory=dict)  # data-metric -> attributes of div.kpi
    panels: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> attributes of section.panel
    log: str = ""

    def traces(self, slug: str) -> list[dict[str, Any]]:
        """The data array passed to Plotly.newPlot for the figure's div."""
        match = re.search(r'Plotly\.newPlot\(\s*"plot-' + re.escape(slug) + r'",\s*', self.text)
        assert match, f"no plotly figure for {slug}"
        data, _ = json.JSONDecoder().raw_decode(self.text, match.end())
        return data

    def trace(self, slug: str, name: str) -> dict[str, Any]:
        found = [t for t in self.traces(slug) if t.get("name") == name]
        assert len(found) == 1, f"{slug}: expected one trace named {name!r}, got {[t.get('name') for t in found]}"
        return found[0]


class _Collector(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        classes = attributes.get("class", "").split()
        if tag == "section" and "figure" in classes:
            self.page.figures[attributes["id"].removeprefix("fig-")] = attributes
        elif tag == "section" and "panel" in classes:
            self.page.panels[attributes["id"]] = attributes
        elif tag == "div" and "kpi" in classes:
            self.page.kpis[attributes["data-metric"]] = attributes


def plain(values: Any) -> list[Any]:
    """A plotly array as a list, whether plain JSON or a base64 typed array."""
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return array.reshape(values["shape"]).tolist() if "shape" in values else array.tolist()
    return list(values)


def close(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(float(actual) - float(expected)) <= TOLERANCE * max(1.0, abs(float(expected)))


def assert_series(actual: list[Any], expected: list[Any], what: str) -> None:
    assert len(actual) == len(expected), f"{what}: {len(actual)} points plotted, the mart has {len(expected)}"
    wrong = [(i, a, e) for i, (a, e) in enumerate(zip(actual, expected)) if not close(a, e)]
    assert not wrong, f"{what}: plotted values differ from the mart at (index, plotted, mart) {wrong[:5]}"


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def page(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Page:
    folder = tmp_path_factory.mktemp("report")
    output = folder / "crm_report.html"
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        assert main(["--database", str(warehouse_path), "--output", str(output),
                     "--quality-json", str(folder / "absent" / "quality.json")]) == 0
    result = Page(output.read_text(encoding="utf-8"), log=log.getvalue())
    _Collector(result).feed(result.text)
    return result


@pytest.fixture(scope="module")
def as_of(warehouse: duckdb.DuckDBPyConnection) -> date:
    return rows(warehouse, "select max(as_of_date) from marts.fct_customer_rfm")[0][0]


def test_prints_steps_and_the_output_path(page: Page) -> None:
    last = page.log.strip().splitlines()[-1]
    assert re.match(rf"report: {len(FIGURES)} figures and \d+ KPI tiles from \d+ marts \(.*\) -> /.*crm_report\.html$",
                    last), last
    assert page.log.count("report: figure ") == len(FIGURES)


def test_works_offline(page: Page) -> None:
    assert '<script src="http' not in page.text
    external = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page.text)
    assert not external, f"external resources: {external[:3]}"
    assert page.text.count("<script") >= len(FIGURES) + 1  # plotly inline once, then one call per figure
    assert len(re.findall(r"<script[^>]*>\s*/\*\*\s*\n?\s*\* plotly\.js", page.text)) <= 1


def test_shows_the_as_of_date(page: Page, as_of: date) -> None:
    assert f'data-as-of-date="{as_of.isoformat()}"' in page.text


def test_every_figure_names_an_existing_mart(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    existing = {name for (name,) in rows(warehouse, "select table_name from information_schema.tables")}
    assert set(page.figures) == {spec.slug for spec in FIGURES}
    for spec in FIGURES:
        marts = page.figures[spec.slug]["data-mart"].split()
        assert marts and marts[0] == spec.mart, spec.slug
        assert set(marts) <= existing, f"{spec.slug} names relations not in the warehouse: {set(marts) - existing}"
        section = page.text[page.text.index(f'id="fig-{spec.slug}"'):]
        section = section[:section.index("</section>")]
        caption = re.search(r'<p class="caption">(.*?)</p>', section, re.S)
        assert caption and all(mart in caption.group(1) for mart in marts), f"{spec.slug}: caption must name its marts"
        assert re.search(r"<h3>[^<]+</h3>", section), f"{spec.slug}: no title"
        assert f'id="plot-{spec.slug}"' in section, f"{spec.slug}: plotly div not inside its section"
        assert page.traces(spec.slug), f"{spec.slug}: no data plotted"
    assert set(report_marts()) <= existing


# Independent of crm_warehouse.report.kpis: which mart and column each tile must show.
KPI_SOURCES = {
    "revenue": ("fct_sales_monthly", "net_revenue"),
    "margin": ("fct_sales_monthly", "gross_margin"),
    "orders": ("fct_sales_monthly", "purchases"),
    "active_customers": ("fct_sales_monthly", "active_customers"),
    "new_customers": ("fct_sales_monthly", "new_customers"),
    "average_order_value": ("fct_sales_monthly", "average_order_value"),
    "churn_rate": ("fct_churn_retention_monthly", "churn_rate"),
}


def _month_shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def test_kpi_tiles_equal_the_marts(page: Page, warehouse: duckdb.DuckDBPyConnection, as_of: date) -> None:
    # The last complete month as of the build: as_of_date's month if it is its last day, else the month before.
    last_complete = _month_shift(as_of.replace(day=1), 0 if (as_of + timedelta(days=1)).day == 1 else -1)
    assert set(KPI_SOURCES) <= set(page.kpis)
    for metric, tile in page.kpis.items():
        mart, column = KPI_SOURCES.get(metric, (tile["data-mart"], None))
        if column is None:
            continue
        assert tile["data-month"] == last_complete.isoformat(), metric
        for attribute, months_back in (("data-value", 0), ("data-previous-value", 1), ("data-last-year-value", 12)):
            month = _month_shift(last_complete, -months_back)
            found = rows(warehouse, f"select {column} from marts.{mart} where month_start = ?", [month])
            expected = found[0][0] if found else None
            shown = float(tile[attribute]) if tile[attribute] else None
            assert close(shown, expected), f"{metric} {attribute} ({month}): tile {shown}, {mart} {expected}"


def test_revenue_tile_change_matches_the_mart(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    month = page.kpis["revenue"]["data-month"]
    vs_previous, vs_last_year = rows(warehouse, """
        select net_revenue_change_vs_previous_month, net_revenue_change_vs_last_year
        from marts.fct_sales_monthly where month_start = cast(? as date)""", [month])[0]
    tile = page.kpis["revenue"]
    shown = float(tile["data-change-vs-previous"]), float(tile["data-change-vs-last-year"])
    assert close(shown[0], vs_previous) and close(shown[1], vs_last_year), (shown, vs_previous, vs_last_year)
    text = page.text[page.text.index('data-metric="revenue"'):]
    assert f"{vs_previous:+.1%} vs" in text[:text.index("</p></div>")]


def test_revenue_trend_equals_fct_sales_monthly(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = rows(warehouse, "select month_start, net_revenue, gross_margin from marts.fct_sales_monthly "
                               "order by month_start")
    revenue, margin = page.trace("revenue-trend", "Revenue"), page.trace("revenue-trend", "Gross margin")
    assert plain(revenue["x"]) == [r[0].isoformat() for r in expected]
    assert_series(plain(revenue["y"]), [r[1] for r in expected], "revenue")
    assert_series(plain(margin["y"]), [r[2] for r in expected], "gross margin")


def test_value_pyramid_and_pareto_equal_the_marts(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    tiers = rows(warehouse, "select value_tier, customer_share, margin_share from marts.rpt_customer_value_pyramid "
                            "order by tier_order")
    customers = page.trace("value-pyramid", "Share of customers")
    assert plain(customers["y"]) == [label(t) for t, _, _ in tiers]
    assert_series(plain(customers["x"]), [s for _, s, _ in tiers], "customer share by tier")
    assert_series(plain(page.trace("value-pyramid", "Share of margin")["x"]), [m for _, _, m in tiers], "margin share")
    share, revenue_share = rows(warehouse, "select top_customer_share, top_customers_revenue_share "
                                           "from marts.rpt_customer_pareto")[0]
    point = page.trace("value-pyramid", "Pareto check")
    assert_series(plain(point["x"]) + plain(point["y"]), [share, revenue_share], "Pareto point")


def test_rfm_segments_equal_fct_customer_rfm(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = {label(s): n for s, n in rows(warehouse, "select rfm_segment, count(*) from marts.fct_customer_rfm "
                                                        "group by rfm_segment")}
    bars = page.traces("rfm-segments")[0]
    assert dict(zip(plain(bars["x"]), plain(bars["y"]))) == expected


def test_rfm_movement_equals_the_snapshot(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    trace = page.trace("rfm-movement", label("champions"))
    expected = dict(rows(warehouse, """
        select strftime(month_start, '%Y-%m-%d'), count(*) from marts.fct_customer_monthly_snapshot
        where rfm_segment = 'champions' group by month_start"""))
    plotted = dict(zip(plain(trace["x"]), plain(trace["y"])))
    assert len(plotted) == 24
    assert plotted == {month: expected[month] for month in plotted}
    assert max(plotted) == max(expected)


def test_cohort_heatmap_equals_fct_cohort_retention(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    heatmap = page.traces("cohort-retention")[0]
    expected = {(c.strftime("%Y-%m"), m): r for c, m, r in rows(warehouse, """
        select cohort_month, months_since_first_purchase, retention_rate from marts.fct_cohort_retention
        where months_since_first_purchase between 1 and 24""")}
    plotted = {(cohort, month): value for cohort, line in zip(plain(heatmap["y"]), plain(heatmap["z"]))
               for month, value in zip(plain(heatmap["x"]), line) if value is not None}
    assert plotted.keys() == expected.keys()
    assert all(close(plotted[key], expected[key]) for key in expected)


def test_channel_mix_equals_fct_channel_performance_monthly(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    for channel, in rows(warehouse, "select distinct channel_code from marts.fct_channel_performance_monthly"):
        expected = rows(warehouse, "select strftime(month_start, '%Y-%m-%d'), month_revenue_share "
                                   "from marts.fct_channel_performance_monthly where channel_code = ? "
                                   "order by month_start", [channel])
        trace = page.trace("channel-mix", label(channel))
        assert plain(trace["x"]) == [m for m, _ in expected]
        assert_series(plain(trace["y"]), [s for _, s in expected], f"channel share {channel}")


def test_funnel_equals_fct_sales_funnel_totals(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    columns = ["leads", "qualified_leads", "opportunities", "reached_qualification", "reached_proposal",
               "reached_negotiation", "won"]
    expected = rows(warehouse, "select " + ", ".join(f"sum({c})" for c in columns) + " from marts.fct_sales_funnel")[0]
    assert plain(page.traces("sales-funnel")[0]["x"]) == [int(v) for v in expected]


def test_win_rate_by_rep_equals_fct_sales_rep_performance(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = {f"Rep {r}": w for r, w in rows(warehouse, "select sales_rep_id, win_rate "
                                                          "from marts.fct_sales_rep_performance where won + lost > 0")}
    plotted = {x: y for trace in page.traces("rep-win-rate") for x, y in zip(plain(trace["x"]), plain(trace["y"]))}
    assert plotted.keys() == expected.keys()
    assert all(close(plotted[rep], expected[rep]) for rep in expected)


def test_service_load_equals_fct_service_load_monthly(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    complaints = page.trace("service-load", label("complaint"))
    expected = dict(rows(warehouse, """
        select strftime(month_start, '%Y-%m-%d'), sum(tickets_opened) from marts.fct_service_load_monthly
        where ticket_category = 'complaint' group by month_start"""))
    plotted = dict(zip(plain(complaints["x"]), plain(complaints["y"])))
    assert plotted and plotted == {month: expected[month] for month in plotted}


def test_quarantine_counts_equal_the_quarantine(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    (total,) = rows(warehouse, "select count(*) from intermediate.int_quarantine__rejected_rows")[0]
    bars = page.traces("quarantine")[0]
    assert sum(plain(bars["x"])) == total
    (reasons,) = rows(warehouse, """
        select count(distinct (source_table, rejection_reason)) from intermediate.int_quarantine__rejected_rows""")[0]
    assert len(plain(bars["x"])) == reasons


def test_reconciliation_status_reflects_the_stored_test_results(page: Page,
                                                                warehouse: duckdb.DuckDBPyConnection) -> None:
    outcomes = {name: (status, failures) for name, status, failures in rows(
        warehouse, "select test_name, status, failures from test_failures.test_results")}
    checks = dict(re.findall(r'data-check="([^"]+)" data-status="([^"]+)"', page.text))
    assert "assert_source_rows_reconcile" in checks
    for name, status in checks.items():
        if name not in outcomes:
            assert status == "not run", name
        else:
            assert status == ("passed" if outcomes[name] == ("pass", 0) else "failed"), name


def test_reconciliation_status_reads_each_checks_latest_outcome() -> None:
    con = duckdb.connect()
    con.execute("""create schema test_failures;
        create table test_failures.test_results (test_name varchar, unique_id varchar, status varchar,
            failures bigint, invocation_id varchar, run_started_at timestamp);
        insert into test_failures.test_results values
            ('assert_source_rows_reconcile', 'a', 'pass', 0, 'run', now()),
            ('assert_enriched_lines_reconcile_with_staging', 'b', 'fail', 1234, 'run', now()),
            ('assert_customer_marts_reconcile', 'c', 'error', null, 'run', now())""")
    statuses = {check.name: (check.status, check.detail) for check in reconciliation_status(con)}
    assert statuses == {
        "assert_source_rows_reconcile": ("passed", "adds up"),
        "assert_enriched_lines_reconcile_with_staging": ("failed", "1,234 differences found"),
        "assert_customer_marts_reconcile": ("failed", "the check itself failed to run"),
    }
    con.execute("""update test_failures.test_results set status = 'skipped'
                   where test_name = 'assert_customer_marts_reconcile'""")
    skipped = {check.name: check.status for check in reconciliation_status(con)}
    assert skipped["assert_customer_marts_reconcile"] == "not run"
    assert {check.status for check in reconciliation_status(duckdb.connect())} == {"not run"}


def test_gx_panel_says_not_run_without_results(page: Page) -> None:
    panel = page.panels["panel-gx"]
    assert panel["data-status"] == "not run"
    section = page.text[page.text.index('id="panel-gx"'):]
    assert "not run" in section[:section.index("</section>")]
    assert "passed" not in section[:section.index("</section>")]


def test_gx_status_reads_quality_json(tmp_path: Path) -> None:
    path = tmp_path / "quality.json"
    path.write_text(json.dumps([
        {"suite": "orders", "success": True, "evaluated": 5, "failed": []},
        {"suite": "customers", "success": False, "evaluated": 4,
         "failed": ["expect_column_values_to_not_be_null(email)"]},
    ]), encoding="utf-8")
    status = gx_status(path)
    assert status.status == "failed" and status.failed_suites == ("customers",)
    assert status.expectations == 9 and len(status.failed_expectations) == 1
    assert "1 of 2 tables" in status.detail and "8 of 9 checks" in status.detail
    assert gx_status(tmp_path / "missing.json").status == "not run"


def test_exposure_lists_the_marts_the_report_reads() -> None:
    exposures = yaml.safe_load((ROOT / "models" / "_report__exposures.yml").read_text(encoding="utf-8"))["exposures"]
    # The predictions section has an exposure of its own (its marts exist on DuckDB only).
    parts = [e for e in exposures if e["name"] in ("crm_report", "crm_report_predictions")]
    assert len(parts) == 2
    listed = sorted(re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for e in parts for d in e["depends_on"])
    assert listed == sorted(report_marts())


def test_missing_warehouse_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="does not exist: build the warehouse first"):
        main(["--database", str(tmp_path / "none.duckdb"), "--output", str(tmp_path / "r.html")])
    assert not (tmp_path / "r.html").exists()


def test_churn_offer_figure_equals_fct_churn_offer_cutoffs(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = rows(warehouse, "select cutoff_decile, margin_saved, offer_cost, net_benefit "
                               "from marts.fct_churn_offer_cutoffs order by cutoff_decile")
    net = page.trace("churn-offer", "Net benefit")
    assert plain(net["x"]) == [r[0] for r in expected]
    assert_series(plain(net["y"]), [float(r[3]) for r in expected], "net benefit")
    assert_series(plain(page.trace("churn-offer", "Margin the offer saves")["y"]), [float(r[1]) for r in expected],
                  "margin saved")


def test_model_accuracy_figure_equals_the_kept_models(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    for target, in rows(warehouse, "select distinct target from marts.fct_predictive_model_performance"):
        expected = rows(warehouse, "select auc from marts.fct_predictive_model_performance "
                                   "where is_chosen and target = ? order by origin_date", [target])
        assert_series(plain(page.trace("model-accuracy", f"{label(target)} (AUC)")["y"]),
                      [r[0] for r in expected], f"{target} AUC")


def test_cluster_figure_equals_rpt_cluster_profiles(page: Page, warehouse: duckdb.DuckDBPyConnection) -> None:
    expected = rows(warehouse, "select customer_share, revenue_share from marts.rpt_cluster_profiles "
                               "order by cluster_number")
    assert_series(plain(page.trace("clusters", "Share of customers")["x"]), [r[0] for r in expected], "customers")
    assert_series(plain(page.trace("clusters", "Share of revenue")["x"]), [r[1] for r in expected], "revenue")
