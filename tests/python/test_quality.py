"""The Great Expectations suites pass on the built warehouse and catch a broken table."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from crm_warehouse.quality.checks import _as_text, main, read_frames, validate, write_results_page
from crm_warehouse.quality.suites import SUITES


def suite(name: str):
    return next(s for s in SUITES if s.name == name)


def test_suites_pass_on_the_warehouse(warehouse: duckdb.DuckDBPyConnection, warehouse_path: Path,
                                      tmp_path: Path) -> None:
    stale = tmp_path / "data_docs" / "validations" / "an_earlier_run.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("results of an earlier run")
    assert main(["--database", str(warehouse_path), "--docs-dir", str(tmp_path)]) == 0
    site = tmp_path / "data_docs"
    assert (site / "index.html").exists()
    # This run's results only: one validation page per suite, and nothing left from before.
    assert len(list((site / "validations").rglob("*.html"))) == len(SUITES)
    assert not stale.exists()
    page = (tmp_path / "quality.html").read_text()
    assert f"{len(SUITES)} of {len(SUITES)} suites passed" in page
    assert "marts.fct_customer_rfm" in page and "FAIL" not in page


def test_suites_fail_on_a_broken_table(warehouse: duckdb.DuckDBPyConnection, warehouse_path: Path) -> None:
    orders = suite("int_orders__validated")
    frame = read_frames(warehouse_path, [orders])[orders.name]
    broken = pd.concat([frame, frame.head(5)], ignore_index=True)  # duplicate keys
    broken.loc[0, "order_status"] = "shipped"  # outside the vocabulary
    [result] = validate({orders.name: broken}, [orders], docs_dir=None)
    assert not result.success
    assert any("unique" in f for f in result.failed)
    assert any("in_set" in f for f in result.failed)


def test_results_page_names_the_table_and_failed_expectations_offline(tmp_path: Path) -> None:
    """The page a person reads after a failure: which table, which expectation, which values."""
    orders = suite("int_orders__validated")
    frame = pd.DataFrame({
        "order_id": [1, 2, 2], "channel_code": ["web"] * 3, "order_status": ["completed", "shipped", "<lost>"],
        "currency_code": ["USD"] * 3, "loaded_copies": [1] * 3,
    })
    results = validate({orders.name: frame}, [orders], docs_dir=None)
    page = write_results_page(results, tmp_path / "quality.html").read_text()
    assert "0 of 1 suites passed" in page
    assert "intermediate.int_orders__validated" in page and "3 rows" in page
    in_set = "expect_column_values_to_be_in_set</code></td><td>order_status</td><td>2</td>"
    assert in_set + "<td>shipped, &lt;lost&gt;" in page
    assert "expect_column_values_to_be_unique</code></td><td>order_id</td>" in page
    assert "<script" not in page and "http" not in page  # readable offline, nothing fetched
    [saved] = json.loads((tmp_path / "quality.json").read_text())
    assert saved["relation"] == "intermediate.int_orders__validated" and not saved["success"]


def test_unmapped_channel_share_is_bounded() -> None:
    orders = suite("int_orders__validated")
    frame = pd.DataFrame({
        "order_id": range(100), "channel_code": ["unknown"] * 10 + ["web"] * 90,
        "order_status": ["completed"] * 100, "currency_code": ["USD"] * 100, "loaded_copies": [1] * 100,
    })
    [result] = validate({orders.name: frame}, [orders], docs_dir=None)
    assert not result.success and result.failed == ["expect_column_values_to_be_in_set(channel_code)"]


def test_pyramid_suite_catches_tiers_off_their_boundaries() -> None:
    pyramid = suite("rpt_customer_value_pyramid")
    frame = pd.DataFrame({
        "value_tier": ["key", "major", "ordinary", "small"],
        "customer_share": [0.05, 0.15, 0.30, 0.50],  # key tier five times too big
        "margin_share": [0.2, 0.5, 0.2, 0.1],
    })
    from crm_warehouse.quality.checks import _with_derived_columns

    [result] = validate({pyramid.name: _with_derived_columns(pyramid.name, frame)}, [pyramid], docs_dir=None)
    assert not result.success
    assert result.failed == ["expect_column_values_to_be_between(customer_share_gap)"]


def test_analyst_marts_carry_no_personal_data() -> None:
    """Names, emails, phones and birth dates live in the restricted schema only."""
    from crm_warehouse.quality.suites import MARTS_DIR

    import yaml

    personal = {"first_name", "last_name", "email", "phone", "birth_date"}
    for path in MARTS_DIR.rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            columns = {c["name"] for c in model["columns"]}
            if "restricted" in path.parts:
                assert personal <= columns, model["name"]
            else:
                assert not columns & personal, (model["name"], columns & personal)


def test_missing_sample_values_read_as_null() -> None:
    assert [_as_text(v) for v in (None, float("nan"), pd.NaT, 0, "x")] == ["null", "null", "null", "0", "x"]
