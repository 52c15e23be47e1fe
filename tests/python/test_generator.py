"""The generator is deterministic, the committed seeds are its output, and Parquet matches CSV.

Worker processes (--jobs) write the same bytes as one process, the fast draws the simulation
uses consume the random stream exactly as the numpy Generator methods they stand for, and the
named records hold every table's declared columns.
"""

from __future__ import annotations

import csv
import filecmp
import hashlib
import io
import json
from bisect import bisect_right
from collections import defaultdict
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crm_warehouse.generator import generate, records, simulate
from crm_warehouse.generator import reference as ref
from crm_warehouse.generator.draws import Draws, cdf
from crm_warehouse.generator.faults import FaultPlanter
from crm_warehouse.generator.generate import Progress, main
from crm_warehouse.generator.simulate import TABLES
from crm_warehouse.generator.sinks import encode, encode_columns

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "crm"
CHANGE_TABLES = ("orders", "order_items")
STANDARD_STATUS = {spelling: status for status, spellings in ref.ORDER_STATUSES.items() for spelling in (status, *spellings)}


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


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_worker_processes_give_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    """Chunks simulated in parallel are written in chunk order with ids numbered on across chunks."""
    one = generate(tmp_path / "one", seed=5, scale=0.3, fmt=fmt, chunk_size=70, jobs=1)
    two = generate(tmp_path / "two", seed=5, scale=0.3, fmt=fmt, chunk_size=70, jobs=2)
    assert one == two
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    if fmt == "parquet":
        assert pq.ParquetFile(tmp_path / "two" / "orders.parquet").num_row_groups == 9  # one per chunk


def test_command_line_keeps_stdout_for_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--out", str(tmp_path / "out"), "--scale", "0.1", "--chunk-size", "50", "--jobs", "2",
          "--manifest", str(tmp_path / "manifest.json")])
    out, err = capsys.readouterr()
    assert json.loads(out) == json.loads((tmp_path / "manifest.json").read_text())
    assert err.splitlines()[-1].startswith("generator: 200 customers, ")
    assert err.splitlines()[-1].endswith(f"(2 processes) -> {tmp_path / 'out'}")


def test_progress_lines_every_tenth_for_logs() -> None:
    stream = io.StringIO()  # not a terminal: plain lines, no bar
    progress = Progress(total=1000, enabled=True, stream=stream, delay=0.0)
    for _ in range(40):
        progress.advance(25)
    progress.close("done")
    lines = stream.getvalue().splitlines()
    assert [line.split(" customers")[0] for line in lines[:-1]] == [
        f"generator: {n:,}/1,000" for n in range(100, 1001, 100)]
    assert lines[-1] == "done"


# -- fast draws: the same stream values as the numpy Generator methods they replace ---------

def test_draws_consume_the_stream_as_numpy_does() -> None:
    numpy_rng, draws = np.random.default_rng(11), Draws(np.random.default_rng(11))
    ranges = [(0, 2), (0, 3), (0, 60), (1, 6), (7, 22), (200, 999), (1000000, 9999999), (0, 86400 * 400),
              (0, 2**31 + 1), (0, 2**32 - 1), (0, 2**32), (5, 2**40), (3, 4)]
    for i in range(20000):
        low, high = ranges[i % len(ranges)]
        assert draws.integers(low, high) == int(numpy_rng.integers(low, high)), (low, high)
        assert draws.integers(high) == int(numpy_rng.integers(high))
        assert draws.random() == numpy_rng.random()
        if i % 7 == 0:  # other draws between: 64-bit, and a spare 32-bit half left in the bit generator
            assert draws.poisson(1.2) == numpy_rng.poisson(1.2)
            assert draws.gamma(2.0, 7.0) == numpy_rng.gamma(2.0, 7.0)
            assert draws.randoms(3).tolist() == numpy_rng.random(3).tolist()
    assert draws.generator.bit_generator.state == numpy_rng.bit_generator.state


def test_cdf_picks_as_choice_with_weights_does() -> None:
    numpy_rng, draws, weights_rng = np.random.default_rng(3), Draws(np.random.default_rng(3)), np.random.default_rng(4)
    for i in range(5000):
        n = 1 + i % 30
        raw = weights_rng.dirichlet(np.full(n, 0.4)) if i % 2 else weights_rng.random(n)
        p = raw if i % 2 else raw / raw.sum()
        assert bisect_right(cdf(p), draws.random()) == int(numpy_rng.choice(n, p=p))


def test_round_cents_rounds_as_numpy_does() -> None:
    values = np.random.default_rng(5).uniform(0, 5000, 100000).tolist() + [0.125, 2.675, 1.005, 0.015, 1e-3, 12.5]
    for value in values:
        expected = round(np.float64(value), 2)
        assert simulate.round_cents(value) == expected and str(simulate.round_cents(value)) == str(expected)


# -- source change timestamps (orders.updated_at, order_items.updated_at) ------------------

class Change(NamedTuple):
    """One source row's change timing: when its order was placed and when the row last changed."""

    row_id: str
    status: str  # standard order status ('' for lines)
    ordered_at: datetime  # UTC
    updated_at: datetime  # UTC

    @property
    def lag(self) -> timedelta:
        return self.updated_at - self.ordered_at


def read_rows(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_ordered_at(text: str) -> datetime:
    """ordered_at is UTC text, or (a planted fault) local time with a UTC offset."""
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def parse_updated_at(text: str) -> datetime:
    """updated_at is always plain UTC text in ordered_at's format; strptime rejects anything else."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def changes(folder: Path) -> tuple[list[Change], list[Change]]:
    """Distinct orders and distinct lines of an extract (exact duplicate loads collapsed)."""
    orders = {tuple(row.values()): row for row in read_rows(folder, "orders")}.values()
    ordered_at = {row["order_id"]: parse_ordered_at(row["ordered_at"]) for row in orders}
    order_changes = [
        Change(row["order_id"], STANDARD_STATUS[row["order_status"]], ordered_at[row["order_id"]],
               parse_updated_at(row["updated_at"]))
        for row in orders
    ]
    lines = {tuple(row.values()): row for row in read_rows(folder, "order_items")}.values()
    line_changes = [
        Change(row["order_item_id"], "", ordered_at[row["order_id"]], parse_updated_at(row["updated_at"]))
        for row in lines
    ]
    return order_changes, line_changes


@pytest.fixture(scope="module")
def seed_changes() -> tuple[list[Change], list[Change]]:
    return changes(SEEDS)


def test_updated_at_is_the_last_column_of_orders_and_lines() -> None:
    for table in CHANGE_TABLES:
        assert TABLES[table][-1] == ("updated_at", "str"), table


def test_extract_ends_with_the_last_simulated_day() -> None:
    assert simulate.EXTRACT_END == datetime(ref.HISTORY_END.year, ref.HISTORY_END.month, ref.HISTORY_END.day, 23, 59, 59)


def test_rows_change_between_the_order_and_the_extract_end(seed_changes: tuple[list[Change], list[Change]]) -> None:
    orders, lines = seed_changes
    for change in orders + lines:
        assert change.ordered_at <= change.updated_at <= simulate.EXTRACT_END, change
    assert max(change.updated_at for change in orders) <= simulate.EXTRACT_END


def test_exact_duplicate_loads_carry_the_same_updated_at() -> None:
    """Ids repeat only through exact duplicate loads, so every copy of an id is the same row."""
    for table, key in (("orders", "order_id"), ("order_items", "order_item_id")):
        copies: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for row in read_rows(SEEDS, table):
            copies[row[key]].add(tuple(row.values()))
        repeated = [row_id for row_id, rows in copies.items() if len(rows) > 1]
        assert not repeated, f"{table}: ids loaded twice with different values: {repeated[:5]}"
        with open(SEEDS / f"{table}.csv", newline="") as handle:
            n_rows = sum(1 for _ in handle) - 1
        assert n_rows > len(copies), f"{table}: the extract should hold exact duplicate loads"


def test_order_updated_at_follows_the_status(seed_changes: tuple[list[Change], list[Change]]) -> None:
    orders, _ = seed_changes
    lags: dict[str, list[timedelta]] = defaultdict(list)
    for change in orders:
        lags[change.status].append(change.lag)
    assert max(lags["completed"]) <= timedelta(hours=3)
    assert max(lags["cancelled"]) <= timedelta(days=2)
    returns = lags["returned"]
    within_a_month = sum(lag <= timedelta(days=30, minutes=5) for lag in returns) / len(returns)
    long_after = sum(lag > timedelta(days=60) for lag in returns) / len(returns)
    assert within_a_month >= 0.75
    assert 0.05 <= long_after <= 0.20, f"share of returns changed > 60 days after the order: {long_after:.3f}"
    assert max(returns) <= timedelta(days=401)


def test_few_lines_are_corrected_long_after_the_order(seed_changes: tuple[list[Change], list[Change]]) -> None:
    _, lines = seed_changes
    at_creation = sum(change.lag <= timedelta(minutes=5) for change in lines) / len(lines)
    corrected = sum(change.lag >= timedelta(days=1) for change in lines) / len(lines)
    assert at_creation >= 0.95
    assert 0.005 <= corrected <= 0.03, f"share of lines corrected later: {corrected:.4f}"


def test_updated_at_has_a_random_stream_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another updated_at stream changes updated_at only: every other value stays the same."""
    generate(tmp_path / "a", seed=7, scale=0.1)
    monkeypatch.setattr(simulate, "UPDATED_AT_STREAM", simulate.UPDATED_AT_STREAM + 1)
    generate(tmp_path / "b", seed=7, scale=0.1)
    for table in TABLES:
        first, second = read_rows(tmp_path / "a", table), read_rows(tmp_path / "b", table)
        if table not in CHANGE_TABLES:
            assert first == second, table
            continue
        assert [{**row, "updated_at": ""} for row in first] == [{**row, "updated_at": ""} for row in second], table
        assert [row["updated_at"] for row in first] != [row["updated_at"] for row in second], table


# -- named records: one per table, read into columns only for the sinks ----------------------

def test_every_table_has_a_record_of_its_columns() -> None:
    """Records hold the declared columns in order: the sinks read them field by field."""
    for tables, declared in ((records.SourceRecords, TABLES), (records.TruthRecords, simulate.TRUTH_TABLES)):
        expected = [table for table in declared if table not in simulate.REFERENCE_TABLES]
        assert list(records.record_types(tables)) == expected
        for table, record_type in records.record_types(tables).items():
            assert [f.name for f in fields(record_type)] == [name for name, _ in declared[table]], table
            assert not hasattr(record_type(*range(len(fields(record_type)))), "__dict__"), "records are slotted"
            for column, counter in record_type.NUMBERED:
                assert column in {f.name for f in fields(record_type)} and hasattr(records.Counters, counter)


def test_numbering_shifts_chunk_local_ids_and_leaves_the_records() -> None:
    account = records.WebAccount(3, records.IdText("ann.w", 3, "@example.com"), None, "Ann", "Lee", "GB", "t0", "t1")
    no_email = records.WebAccount(4, None, None, "Bob", "Lee", "GB", "t0", "t1")
    before = replace(records.Counters(), web_account_id=500)
    values = records.numbered_columns(records.WebAccount, [account, no_email], before)
    assert values[0] == [503, 504]
    assert values[1] == ["ann.w503@example.com", None]
    assert values[3] == ["Ann", "Bob"]
    assert account.web_account_id == 3 and isinstance(account.email, records.IdText)
    assert records.numbered_columns(records.WebAccount, [], before) == [[] for _ in fields(records.WebAccount)]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_encoding_columns_equals_encoding_rows(fmt: str) -> None:
    columns = TABLES["campaign_touches"]
    rows = [(1, 301, 10001, "2024-01-02 08:00:00", "email", True, "2024-01-03 09:00:00"),
            (2, 301, 10002, "2024-01-02 09:00:00", "email", False, None)]
    by_column = [list(column) for column in zip(*rows)]
    for given_rows, given_columns in ((rows, by_column), ([], [[] for _ in columns])):
        encoded, from_columns = encode(fmt, columns, given_rows), encode_columns(fmt, columns, given_columns)
        if isinstance(encoded, pa.Table):
            assert isinstance(from_columns, pa.Table) and from_columns.equals(encoded)
        else:
            assert from_columns == encoded


def test_exact_duplicates_are_copies() -> None:
    """A duplicate load is a copy, a record of its own: a later edit of one leaves the other as it was."""
    sources = records.SourceRecords(customers=[records.Customer(*range(18)) for _ in range(300)])
    faults: dict[str, int] = {}
    FaultPlanter(Draws(np.random.default_rng(1)), faults).plant(sources)
    assert faults["customers_exact_duplicate"] == 3 and len(sources.customers) == 303
    assert len({id(customer) for customer in sources.customers}) == 303
