"""A warehouse held by another process is reported in one line naming that process (no dbt)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from crm_warehouse.warehouse_lock import WarehouseInUse, connect

ROOT = Path(__file__).resolve().parents[2]
# Opens the file and keeps it open until its stdin closes, so the lock is held while we check.
HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read")
print("ready", flush=True)
sys.stdin.read()
"""


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm_warehouse.warehouse_lock", *args],
                          check=False, capture_output=True, text=True, cwd=ROOT)


@pytest.fixture()
def database(tmp_path: Path) -> Path:
    path = tmp_path / "crm.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 1 as x")
    return path


def hold(path: Path, mode: str) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
    try:
        yield holder
    finally:
        holder.communicate(timeout=30)  # closes stdin: the holder exits and releases the file


@pytest.fixture()
def writer(database: Path) -> Iterator[subprocess.Popen[str]]:
    yield from hold(database, "write")


@pytest.fixture()
def reader(database: Path) -> Iterator[subprocess.Popen[str]]:
    yield from hold(database, "read")


def test_writer_holding_the_file(database: Path, writer: subprocess.Popen[str]) -> None:
    for args in ([str(database)], ["--write", str(database)]):
        result = check(*args)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and result.stdout == ""
        assert result.stderr.startswith(f"{database} is in use by process {writer.pid} (")
        assert "wait for it to finish, or build into another file with CRM_DUCKDB_PATH=" in result.stderr


def test_connect_raises_one_line(database: Path, writer: subprocess.Popen[str]) -> None:
    with pytest.raises(WarehouseInUse) as raised:
        connect(database)
    assert f"process {writer.pid} (" in str(raised.value.code)
    assert raised.value.code is not None and "\n" not in str(raised.value.code)


def test_reader_blocks_only_writers(database: Path, reader: subprocess.Popen[str]) -> None:
    assert check(str(database)).returncode == 0
    result = check("--write", str(database))
    assert result.returncode == 1
    assert f"is in use by process {reader.pid} (" in result.stderr


def test_free_or_missing_file(database: Path, tmp_path: Path) -> None:
    assert check(str(database)).returncode == 0
    assert check("--write", str(database)).returncode == 0
    assert check(str(tmp_path / "not_built_yet.duckdb")).returncode == 0
