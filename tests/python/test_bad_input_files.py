"""The preflight names the file, table or column, line and value of each bad input file (no dbt)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from crm_warehouse import preflight
from crm_warehouse.generator.simulate import TABLES

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "crm"


@pytest.fixture()
def extract(tmp_path: Path) -> Path:
    """A copy of the committed extract to corrupt."""
    return Path(shutil.copytree(SEEDS, tmp_path / "crm"))


def run(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = preflight.main([str(folder)])
    out = capsys.readouterr()
    return code, out.out + out.err


def header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")


def drop_column(path: Path, column: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    i = rows[0].index(column)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(row[:i] + row[i + 1:] for row in rows)


def latin1_value(path: Path, line: int, column: str, value: str) -> None:
    """Put `value`, encoded as Latin-1, into `column` on physical line `line` (1 = header)."""
    lines = path.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    row = next(csv.reader([lines[line - 1].decode()]))
    row[header.index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    lines[line - 1] = buffer.getvalue().encode("latin-1")
    path.write_bytes(b"\n".join(lines))


def test_committed_seeds_pass() -> None:
    result = subprocess.run([sys.executable, "-m", "crm_warehouse.preflight", str(SEEDS)],
                            check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"preflight: {len(TABLES)} tables, ")
    assert result.stdout.rstrip().endswith("rows, all readable")


def test_latin1_bytes_in_an_order(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin1_value(extract / "orders.csv", 17, "channel", "Magasin café")
    code, output = run(extract, capsys)
    assert code == 1
    assert "orders.csv line 17: not UTF-8 (bytes 0xe9" in output
    assert "column 'channel'" in output and r"value 'Magasin caf\xe9'" in output


def test_latin1_lines_are_counted_not_all_listed(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for line in range(2, 12):
        latin1_value(extract / "orders.csv", line, "channel", "café")
    code, output = run(extract, capsys)
    assert code == 1
    assert output.count(": save the file as UTF-8") == preflight.MAX_LINES_PER_KIND
    assert f"and {10 - preflight.MAX_LINES_PER_KIND} more lines not UTF-8" in output


@pytest.mark.parametrize(("table", "noun"), [("orders", "order"), ("exchange_rates", "exchange rate")])
def test_table_with_header_only(extract: Path, capsys: pytest.CaptureFixture[str], table: str, noun: str) -> None:
    header_only(extract / f"{table}.csv")
    code, output = run(extract, capsys)
    assert code == 1
    assert f"{table}.csv: table {table} has no rows (header only); the warehouse needs at least one {noun}" in output


def test_optional_table_may_be_empty(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header_only(extract / "holidays.csv")
    code, output = run(extract, capsys)
    assert code == 0, output


def test_column_missing(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_column(extract / "customers.csv", "email")
    code, output = run(extract, capsys)
    assert code == 1
    expected = ", ".join(name for name, _ in TABLES["customers"])
    assert f"customers.csv: column 'email' of table customers missing from the header (expected: {expected})" in output


def test_column_missing_from_header_only(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = extract / "customers.csv"
    path.write_bytes(path.read_bytes().replace(b",email,", b",", 1))
    code, output = run(extract, capsys)
    assert code == 1
    assert "customers.csv: column 'email' of table customers missing" in output
    assert "customers.csv line 2: " in output and "values but the header of table customers has" in output


def test_file_missing(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (extract / "holidays.csv").unlink()
    code, output = run(extract, capsys)
    assert code == 1
    assert "holidays.csv: file missing; table holidays needs it (columns: holiday_date, " in output


def test_extra_column_is_a_warning(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = extract / "stores.csv"
    path.write_text("".join(line.rstrip("\n") + ",note\n" for line in path.read_text().splitlines(True)))
    code, output = run(extract, capsys)
    assert code == 0
    assert "stores.csv: warning: column 'note' is not a column of table stores" in output
    assert "all readable (1 warning)" in output


def test_every_problem_is_listed(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin1_value(extract / "orders.csv", 17, "channel", "café")
    header_only(extract / "exchange_rates.csv")
    drop_column(extract / "customers.csv", "email")
    (extract / "holidays.csv").unlink()
    code, output = run(extract, capsys)
    assert code == 1
    for expected in ("orders.csv line 17: not UTF-8", "table exchange_rates has no rows",
                     "column 'email' of table customers missing", "holidays.csv: file missing",
                     ": 4 files with problems; fix them before the build"):
        assert expected in output


def test_columns_follow_the_generator(extract: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A column added to the generator's TABLES is expected at once (no second list of columns)."""
    monkeypatch.setitem(TABLES, "orders", (*TABLES["orders"], ("loyalty_tier", "str")))
    code, output = run(extract, capsys)
    assert code == 1
    assert "orders.csv: column 'loyalty_tier' of table orders missing from the header" in output


def test_parquet_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder as `--format parquet` writes it: <table>.parquet, here made from the seeds."""
    with duckdb.connect() as con:
        for table in TABLES:
            source = f"read_csv('{SEEDS / f'{table}.csv'}', all_varchar = true)"
            query = {"orders": f"select * exclude (channel) from {source}",
                     "exchange_rates": f"select * from {source} limit 0"}.get(table, f"select * from {source}")
            con.execute(f"copy ({query}) to '{tmp_path / f'{table}.parquet'}' (format parquet)")
    (tmp_path / "stores.parquet").unlink()
    code, output = run(tmp_path, capsys)
    assert code == 1
    assert "orders.parquet: column 'channel' of table orders missing from the header" in output
    assert "exchange_rates.parquet: table exchange_rates has no rows" in output
    assert "stores.parquet: file missing; table stores needs it" in output
