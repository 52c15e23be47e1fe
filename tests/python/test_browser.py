"""The docs site and the report, opened in a real browser (headless Chromium, driven by Playwright).

Chromium is Debian's package (`make browser` installs it where the machine allows); Playwright
only drives it, it downloads nothing. Where Chromium is missing these tests are skipped with
"not run" in the reason, never counted as passed. Screenshots go to target/browser/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "target" / "browser"
DOCS_SITE = ROOT / "target" / "static_index.html"
MANIFEST = ROOT / "target" / "manifest.json"
# Chromium's background services call Google's hosts; on a closed network they only fail noisily.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def chromium_path() -> str | None:
    return os.environ.get("CRM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("not run: Chromium is not installed (`make browser` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.requests = requests
    yield page
    page.close()


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    if not DOCS_SITE.exists() or not MANIFEST.exists():
        pytest.fail("no docs site: run `make docs` first (`make test` does)")
    return json.loads(MANIFEST.read_text())


def marts(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((node for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")),
                  key=lambda node: node["name"])


def open_docs(page: Any, fragment: str) -> None:
    page.goto(f"{DOCS_SITE.as_uri()}#!/{fragment}")
    page.wait_for_selector("h1", timeout=60_000)


def test_every_mart_page_shows_its_columns_and_lineage(page: Any, manifest: dict[str, Any]) -> None:
    missing: dict[str, list[str]] = {}
    for mart in marts(manifest):
        open_docs(page, f"model/{mart['unique_id']}")
        page.wait_for_selector(f"h1:has-text('{mart['name']}')")
        # Each row of the columns table: name, type (from the catalog), description.
        # (#columns and #depends_on are the sections' anchors; the sections are their parents.)
        page.wait_for_function("() => document.querySelector('#columns')?.parentElement.querySelector('td')")
        rows = page.evaluate("() => [...document.querySelector('#columns').parentElement.querySelectorAll('tr')]"
                             ".map(row => [...row.cells].map(cell => cell.innerText.trim()))")
        shown = {row[0]: row for row in rows if len(row) > 2}
        absent = [column for column in mart["columns"] if column not in shown or not shown[column][1]]
        depends_on = page.evaluate("() => document.querySelector('#depends_on').parentElement.innerText")
        # The section's default tab lists the parent models (seeds and snapshots sit behind tabs).
        parents = [manifest["nodes"][parent]["name"] for parent in mart["depends_on"]["nodes"]
                   if parent.startswith("model.")]
        absent += [f"depends on {parent}" for parent in parents if parent not in depends_on]
        if absent:
            missing[mart["name"]] = absent
    assert not missing, f"mart pages lacking columns or parents: {missing}"

    # The lineage graph of one mart: itself, its parents and the exposures that read it.
    rfm = next(mart for mart in marts(manifest) if mart["name"] == "fct_customer_rfm")
    open_docs(page, f"model/{rfm['unique_id']}")
    page.screenshot(path=str(SCREENSHOTS / "docs_mart_page.png"))
    page.click(".btn-pill.btn-lg")  # the floating "lineage graph" button
    # Cytoscape draws on a canvas; its instance hangs off the container element.
    graph = "document.querySelector('#cy')._cyreg.cy"
    page.wait_for_function(f"() => document.querySelector('#cy')?._cyreg?.cy.nodes(':visible').length > 0",
                           timeout=30_000)
    labels = page.evaluate(f"() => {graph}.nodes(':visible').map(node => node.data('label'))")
    page.screenshot(path=str(SCREENSHOTS / "docs_lineage.png"))
    parents = {manifest["nodes"][parent]["name"] for parent in rfm["depends_on"]["nodes"]}
    assert {"fct_customer_rfm", *parents} <= set(labels), labels
    assert not [url for url in page.requests if url.startswith("http")], "the docs site fetched from the network"


def unique_column_description(manifest: dict[str, Any]) -> tuple[str, str]:
    """A mart column whose description's opening words appear in no other node: (phrase, model)."""
    texts = {node["unique_id"]: json.dumps(node.get("columns", {})) + node.get("description", "")
             for node in manifest["nodes"].values()}
    for mart in marts(manifest):
        for column in mart["columns"].values():
            phrase = " ".join(re.sub(r"[^\w ]", " ", column.get("description", "")).split()[:5])
            if len(phrase) > 25 and sum(phrase in text for text in texts.values()) == 1:
                return phrase, mart["name"]
    raise AssertionError("no column description is unique to one mart")


def test_search_finds_a_column_description(page: Any, manifest: dict[str, Any]) -> None:
    phrase, model = unique_column_description(manifest)
    open_docs(page, "overview")
    page.fill("input[placeholder^='Search']", phrase)
    page.wait_for_selector(f"text={phrase.split()[0]}", timeout=10_000)
    page.wait_for_timeout(500)
    results = page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "docs_search.png"))
    assert re.search(r"\d+ search results?", results), results[:500]
    assert model in results, f"searching {phrase!r} did not list {model}"


def test_every_report_chart_renders_offline(page: Any, warehouse_path: Path, tmp_path: Path) -> None:
    from crm_warehouse.report import FIGURES, build_report

    report = build_report(warehouse_path, tmp_path / "crm_report.html", ROOT / "target" / "gx" / "quality.json",
                          log=lambda line: None).output
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(Path(report).resolve().as_uri())
    # Plotly draws after load; a chart counts as drawn when its SVG holds a trace (bars, lines,
    # funnel, pie slices) or a heatmap image.
    drawn = ("sections => sections.map(s => [s.id, s.querySelectorAll('svg.main-svg').length,"
             " s.querySelectorAll('svg .trace, svg .slice, svg image').length])")
    try:
        page.wait_for_function(f"() => ({drawn})([...document.querySelectorAll('section.figure')])"
                               ".every(([, svgs, marks]) => svgs && marks)", timeout=30_000)
    except Exception:  # noqa: BLE001 - the assertion below names the charts that did not draw
        pass
    figures = page.eval_on_selector_all("section.figure", drawn)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    assert not errors, errors
    assert sorted(id_ for id_, _, _ in figures) == sorted(f"fig-{figure.slug}" for figure in FIGURES)
    unrendered = [id_ for id_, svgs, marks in figures if not svgs or not marks]
    assert not unrendered, f"charts with no drawing: {unrendered}"
    assert page.locator("div.kpi").count() > 0
    assert not [url for url in page.requests if not url.startswith(("file:", "data:", "blob:", "about:"))]
