"""The generator is deterministic, the committed seeds are its output, and Parquet matches CSV."""

from __future__ import annotations

import csv
import filecmp
import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crm_warehouse.generator import generate
from crm_warehouse.generator.simulate import TABLES

ROOT = Path(__file__).resolve().parents[2]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=7, scale=0.1)
    second = generate(tmp_path / "b", seed=7, scale=0.1)
    assert first == second
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=7, scale=0.1)
    generate(tmp_path / "b", seed=8, scale=0.1)
    assert digests(tmp_path / "a")["orders.csv"] != digests(tmp_path / "b")["orders.csv"]


def test_committed_seeds_equal_generator_output(tmp_path: Path) -> None:
    """Seeds never drift from the generator: regenerate with the defaults and compare bytes."""
    generate(tmp_path)
    seeds = ROOT / "seeds" / "crm"
    generated = sorted(p.name for p in tmp_path.iterdir())
    assert generated == sorted(p.name for p in seeds.glob("*.csv"))
    _, mismatch, errors = filecmp.cmpfiles(seeds, tmp_path, generated, shallow=False)
    assert not mismatch and not errors, f"seeds differ from the generator: {mismatch + errors}; run `make generate`"


def test_default_size_fits_the_seed_budget() -> None:
    seeds = ROOT / "seeds" / "crm"
    total_bytes = sum(p.stat().st_size for p in seeds.glob("*.csv"))
    assert total_bytes < 10 * 1024 * 1024
    with open(seeds / "order_items.csv", newline="") as handle:
        lines = sum(1 for _ in handle) - 1
    assert 20_000 <= lines <= 40_000
    with open(seeds / "customers.csv", newline="") as handle:
        assert 1_900 <= sum(1 for _ in handle) - 1 <= 2_200


def test_every_table_has_its_declared_columns() -> None:
    for table, columns in TABLES.items():
        with open(ROOT / "seeds" / "crm" / f"{table}.csv", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [name for name, _ in columns], table


@pytest.mark.parametrize("chunk_size", [60, 1000])
def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path, chunk_size: int) -> None:
    """Chunked Parquet writing keeps every row (several row groups when chunks are small)."""
    csv_manifest = generate(tmp_path / "csv", seed=3, scale=0.1, fmt="csv", chunk_size=chunk_size)
    parquet_manifest = generate(tmp_path / "pq", seed=3, scale=0.1, fmt="parquet", chunk_size=chunk_size)
    assert csv_manifest == parquet_manifest
    orders = pq.ParquetFile(tmp_path / "pq" / "orders.parquet")
    assert orders.metadata.num_rows == csv_manifest["rows"]["orders"]
    if chunk_size < 200:
        assert orders.num_row_groups > 1
    with open(tmp_path / "csv" / "orders.csv", newline="") as handle:
        csv_ids = [int(row["order_id"]) for row in csv.DictReader(handle)]
    assert orders.read(columns=["order_id"]).column(0).to_pylist() == csv_ids
