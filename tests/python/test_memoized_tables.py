"""The Python models that fit and score (materialization memoized_table) are rebuilt exactly when
they must be.

On a copy of the built warehouse: a run with nothing changed keeps every table (and a row deleted
by hand stays deleted); a changed row in a relation a model reads rebuilds that model and no
other; a changed var it reads rebuilds it; and the rebuilt table equals a full refresh, row by row.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

from crm_warehouse import privacy

ROOT = Path(__file__).resolve().parents[2]
CLUSTERS = "int_predictive__clusters"  # reads int_customers__features_by_date
BTYD_FIT = "int_predictive__btyd_fit"  # does not
PYTHON_MODELS = {path.stem for path in (ROOT / "models").rglob("*.py")}


def dbt(database: Path, *args: str) -> set[str]:
    """Runs dbt on database; the models it kept (its log line for each)."""
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(database.parent / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    logs = database.parent / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    subprocess.run([str(Path(sys.executable).parent / "dbt"), *args, "--quiet", "--log-path", str(logs),
                    "--target-path", str(database.parent / "target")], cwd=ROOT, env=env, check=True)
    return set(re.findall(r"(\w+): kept, nothing it reads has changed", (logs / "dbt.log").read_text()))


def clusters_rows(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from intermediate.{CLUSTERS}").fetchone()[0]


class Runs(NamedTuple):
    materializations: dict[str, str]
    kept_without_change: set[str]
    kept_after_changed_input: set[str]
    kept_after_changed_var: set[str]
    clusters_built: int  # rows
    clusters_after_no_change: int  # rows: one fewer if kept (one was deleted by hand)
    clusters_after_changed_input: int
    rebuilt_not_in_full_refresh: list[tuple]
    full_refresh_not_in_rebuilt: list[tuple]


@pytest.fixture(scope="module")
def runs(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    database = tmp_path_factory.mktemp("memoized") / "crm.duckdb"
    shutil.copyfile(warehouse_path, database)
    shutil.copyfile(privacy.restricted_path(warehouse_path), privacy.restricted_path(database))
    selection = ["--select", *sorted(PYTHON_MODELS)]
    dbt(database, "run", *selection)  # a build from the copied inputs, whatever built the copy
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    materializations = {node["name"]: node["config"]["materialized"] for node in manifest["nodes"].values()
                        if node["resource_type"] == "model" and node["name"] in PYTHON_MODELS}
    clusters_built = clusters_rows(database)
    with duckdb.connect(str(database)) as con:  # a mark that a rebuild erases: one row fewer
        con.execute(f"delete from intermediate.{CLUSTERS} where rowid = (select min(rowid) from intermediate.{CLUSTERS})")
    kept_without_change = dbt(database, "run", *selection)
    clusters_after_no_change = clusters_rows(database)
    with duckdb.connect(str(database)) as con:
        con.execute("""
            update intermediate.int_customers__features_by_date set revenue_to_date = revenue_to_date + 1
            where customer_key = (select min(customer_key) from intermediate.int_customers__features_by_date
                                  where revenue_to_date > 0)""")
    kept_after_changed_input = dbt(database, "run", "--select", CLUSTERS, BTYD_FIT)
    clusters_after_changed_input = clusters_rows(database)
    kept_after_changed_var = dbt(database, "run", "--select", BTYD_FIT, "--vars", "{propensity_min_training_rows: 201}")
    with duckdb.connect(str(database)) as con:
        con.execute(f"create table main.rebuilt as select * from intermediate.{CLUSTERS}")
    dbt(database, "run", "--full-refresh", "--select", CLUSTERS)
    with duckdb.connect(str(database), read_only=True) as con:
        def minus(left: str, right: str) -> list[tuple]:
            return con.execute(f"select * from {left} except all select * from {right} limit 20").fetchall()
        full = f"intermediate.{CLUSTERS}"
        return Runs(materializations, kept_without_change, kept_after_changed_input, kept_after_changed_var,
                    clusters_built, clusters_after_no_change, clusters_after_changed_input,
                    minus("main.rebuilt", full), minus(full, "main.rebuilt"))


def test_every_python_model_is_memoized(runs: Runs) -> None:
    assert runs.materializations == {name: "memoized_table" for name in PYTHON_MODELS}


def test_a_run_without_change_keeps_every_table(runs: Runs) -> None:
    assert runs.kept_without_change == PYTHON_MODELS
    assert runs.clusters_after_no_change == runs.clusters_built - 1, "the table was rebuilt"


def test_a_changed_input_row_rebuilds_only_the_models_reading_it(runs: Runs) -> None:
    assert runs.kept_after_changed_input == {BTYD_FIT}
    assert runs.clusters_after_changed_input == runs.clusters_built


def test_a_changed_var_rebuilds_the_model_reading_it(runs: Runs) -> None:
    assert runs.kept_after_changed_var == set()


def test_a_rebuilt_table_equals_a_full_refresh(runs: Runs) -> None:
    assert not runs.rebuilt_not_in_full_refresh
    assert not runs.full_refresh_not_in_rebuilt
