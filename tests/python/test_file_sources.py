"""The warehouse reads the user's own files (CRM_SOURCE_PATH) exactly as it reads the seeds.

The generator's Parquet output at the default size holds the same data as the committed
seeds, so a warehouse built from those Parquet files must hold, row for row, the marts of the
warehouse built from the seeds. The seeds folder itself, read as CSV files, must give the same
staging tables. A folder missing a table stops the build with a message naming it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from crm_warehouse.generator import generate

ROOT = Path(__file__).resolve().parents[2]
# Snapshot versions carry the time of the build that recorded them; everything else must match.
BUILD_TIME_TABLES = {"dim_customers_history"}


def dbt(args: list[str], database: Path, source_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT), "CRM_SOURCE_PATH": str(source_path)}
    executable = Path(sys.executable).parent / "dbt"
    return subprocess.run([str(executable), *args, "--target-path", str(database.parent / "target"),
                           "--log-path", str(database.parent / "logs")],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def differing_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[int, int]:
    """Rows only in the seed build, rows only in the file build (every column compared)."""
    only = [con.execute(f"select count(*) from (select * from {a}.{schema}.{table} "
                        f"except all select * from {b}.{schema}.{table})").fetchone()[0]  # type: ignore[index]
            for a, b in (("seeded", "files"), ("files", "seeded"))]
    return only[0], only[1]


def tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = 'seeded' and schema_name = ? "
        "order by 1", [schema]).fetchall()]


@pytest.fixture(scope="module")
def parquet_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    generate(folder / "extract", fmt="parquet")
    database = folder / "crm.duckdb"
    # Models and snapshot; their data tests already ran on the seed build.
    build = ["build", "--exclude-resource-type", "seed", "--exclude-resource-type", "test",
             "--exclude-resource-type", "unit_test"]
    for args in (["seed", "--select", "path:seeds/mappings"], build):
        result = dbt(args, database, folder / "extract")
        assert result.returncode == 0, result.stdout[-3000:]
    return database


def test_parquet_files_give_the_marts_of_the_seeds(parquet_build: Path, warehouse_path: Path) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{warehouse_path}' as seeded (read_only)")
    con.execute(f"attach '{parquet_build}' as files (read_only)")
    marts = tables(con, "marts")
    assert len(marts) > 30
    differences = {t: differing_rows(con, "marts", t) for t in marts if t not in BUILD_TIME_TABLES}
    assert {t: d for t, d in differences.items() if d != (0, 0)} == {}
    assert con.execute("select count(*) from files.crm_files.order_items").fetchone()[0] > 20_000  # type: ignore[index]


def test_csv_files_give_the_staging_of_the_seeds(tmp_path: Path, warehouse_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    for args in (["seed", "--select", "path:seeds/mappings"], ["run", "--select", "staging"]):
        result = dbt(args, database, ROOT / "seeds" / "crm")
        assert result.returncode == 0, result.stdout[-3000:]
    con = duckdb.connect()
    con.execute(f"attach '{warehouse_path}' as seeded (read_only)")
    con.execute(f"attach '{database}' as files (read_only)")
    staging = tables(con, "staging")
    assert len(staging) == 17
    assert {t: d for t in staging if (d := differing_rows(con, "staging", t)) != (0, 0)} == {}


def test_a_missing_table_stops_the_build_naming_it(tmp_path: Path) -> None:
    extract = tmp_path / "extract"
    extract.mkdir()
    for csv_file in (ROOT / "seeds" / "crm").glob("*.csv"):
        if csv_file.name != "orders.csv":
            (extract / csv_file.name).write_bytes(csv_file.read_bytes())
    result = dbt(["run", "--select", "stg_crm__channels"], tmp_path / "crm.duckdb", extract)
    assert result.returncode != 0
    assert "no file for source table orders" in result.stdout
    assert "order_id" in result.stdout  # the columns it needs
