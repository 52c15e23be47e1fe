"""The Great Expectations suites pass on the built warehouse and catch a broken table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from crm_warehouse.quality.checks import main, read_frames, validate
from crm_warehouse.quality.suites import SUITES


def suite(name: str):
    return next(s for s in SUITES if s.name == name)


def test_suites_pass_on_the_warehouse(warehouse: duckdb.DuckDBPyConnection, warehouse_path: Path,
                                      tmp_path: Path) -> None:
    assert main(["--database", str(warehouse_path), "--docs-dir", str(tmp_path)]) == 0
    assert (tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()


def test_suites_fail_on_a_broken_table(warehouse: duckdb.DuckDBPyConnection, warehouse_path: Path) -> None:
    orders = suite("stg_crm__orders")
    frame = read_frames(warehouse_path, [orders])[orders.name]
    broken = pd.concat([frame, frame.head(5)], ignore_index=True)  # duplicate keys
    broken.loc[0, "order_status"] = "shipped"  # outside the vocabulary
    [result] = validate({orders.name: broken}, [orders], docs_dir=None)
    assert not result.success
    assert any("unique" in f for f in result.failed)
    assert any("in_set" in f for f in result.failed)


def test_unmapped_channel_share_is_bounded() -> None:
    orders = suite("stg_crm__orders")
    frame = pd.DataFrame({
        "order_id": range(100), "channel_code": ["unknown"] * 10 + ["web"] * 90,
        "order_status": ["completed"] * 100, "currency_code": ["USD"] * 100, "loaded_copies": [1] * 100,
    })
    [result] = validate({orders.name: frame}, [orders], docs_dir=None)
    assert not result.success and result.failed == ["expect_column_values_to_be_in_set(channel_code)"]
