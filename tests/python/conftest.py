"""Shared fixtures: the repository root and a read-only connection to a built warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from crm_warehouse import privacy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse `make test` just built, or one built here (seeds, models and the snapshot)."""
    path = Path(os.environ.get("CRM_DUCKDB_PATH", ROOT / "warehouse" / "crm.duckdb"))
    if not path.is_absolute():
        path = ROOT / path
    if path.exists():
        return path
    path = tmp_path_factory.mktemp("warehouse") / "crm.duckdb"
    env = {**os.environ, "CRM_DUCKDB_PATH": str(path), "CRM_DUCKDB_TEMP_DIR": str(path.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    dbt = Path(sys.executable).parent / "dbt"
    # Seeds first (sources read them), then models and the snapshot; the dbt tests run in `make test`.
    no_tests = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    for command in (["seed"], ["build", "--exclude-resource-type", "seed", *no_tests]):
        subprocess.run([str(dbt), *command, "--quiet"], cwd=ROOT, env=env, check=True)
    return path


@pytest.fixture(scope="session")
def warehouse(warehouse_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-only connection for the whole session (DuckDB allows one configuration per file),
    with the restricted database attached as the build has it (profiles.yml): the owner's view."""
    con = duckdb.connect(str(warehouse_path), read_only=True)
    privacy.attach_restricted(con, warehouse_path)
    yield con
    con.close()
