"""The project's DuckDB profile keeps working when DuckDB spills to disk.

DuckDB refuses to change temp_directory once it has spilled there; when the profile set it per
cursor, every model after the first spill failed. Here the customer x month chain (the largest
tables) is rebuilt on 20,000 generated customers with a memory limit below what it needs:
DuckDB must spill (its temporary files are seen appearing in the temp directory while the build
runs), the build must pass, and the tables must equal those built with ample memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from crm_warehouse.generator import generate

ROOT = Path(__file__).resolve().parents[2]
# The customer x month chain, the largest tables, with their schemas.
MODELS = {
    "int_customers__metrics_by_date": "intermediate",
    "int_customers__state_by_date": "intermediate",
    "fct_customer_monthly_snapshot": "marts",
}
# At scale 10 with one thread (2026-11-28): no spill at 160MB (the limit until the state stopped
# writing out a CTE of every customer month); spills and passes from 80 to 130MB; at 64MB the
# state cannot run. The middle of that range.
SMALL_MEMORY = "100MB"


def dbt_command(args: list[str], folder: Path, **settings: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "CRM_DUCKDB_PATH": str(folder / "crm.duckdb"),
           "CRM_DUCKDB_TEMP_DIR": str(folder / "tmp"), "CRM_SOURCE_PATH": str(folder / "extract"), **settings}
    executable = Path(sys.executable).parent / "dbt"
    return [str(executable), *args, "--target-path", str(folder / "target"), "--log-path", str(folder / "logs")], env


def run_watching_temp_files(args: list[str], folder: Path, **settings: str) -> tuple[int, str, set[str]]:
    """Run dbt; meanwhile note every file that appears in the temp directory."""
    command, env = dbt_command(args, folder, **settings)
    seen: set[str] = set()
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        while process.poll() is None:
            seen.update(p.name for p in (folder / "tmp").iterdir())
            time.sleep(0.02)
        output = process.stdout.read() if process.stdout else ""
    return process.returncode, output, seen


def snapshot_tables(folder: Path) -> None:
    with duckdb.connect(str(folder / "crm.duckdb")) as con:
        con.execute("create schema if not exists ample_memory")
        for model, schema in MODELS.items():
            con.execute(f"create or replace table ample_memory.{model} as select * from {schema}.{model}")


def differences(folder: Path) -> dict[str, int]:
    with duckdb.connect(str(folder / "crm.duckdb"), read_only=True) as con:
        return {model: con.execute(
            f"select count(*) from ((select * from ample_memory.{model} except all select * from {schema}.{model})"
            f" union all (select * from {schema}.{model} except all select * from ample_memory.{model}))"
        ).fetchone()[0] for model, schema in MODELS.items()}  # type: ignore[index]


def test_a_build_that_spills_passes_and_gives_the_same_tables(tmp_path: Path) -> None:
    generate(tmp_path / "extract", scale=10, fmt="parquet")
    (tmp_path / "tmp").mkdir()
    for args in (["seed", "--select", "path:seeds/mappings"], ["run", "--select", "+" + list(MODELS)[-1]]):
        command, env = dbt_command(args, tmp_path)
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:]
    snapshot_tables(tmp_path)

    # One thread each, so the memory needed does not depend on the machine's cores.
    returncode, output, seen = run_watching_temp_files(
        ["run", "--full-refresh", "--select", *MODELS], tmp_path,  # incremental models: rebuild them whole
        CRM_DUCKDB_MEMORY_LIMIT=SMALL_MEMORY, CRM_DUCKDB_THREADS="1", CRM_DBT_THREADS="1")

    assert returncode == 0, output[-3000:]
    assert any(name.endswith(".tmp") for name in seen), f"DuckDB did not spill at {SMALL_MEMORY}: {sorted(seen)}"
    assert differences(tmp_path) == {model: 0 for model in MODELS}
