"""The generic test primary_key finds every null and every repeated key, and nothing else.

Each case calls the test's macro on a few literal rows through `dbt show --inline`, in one dbt
invocation on a scratch DuckDB file: the rows it returns are the rows `dbt build` would report as
failures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

# case -> (the keys of the literal rows, the failing rows primary_key must return)
PRIMARY_KEY_CASES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "distinct keys": ("(1), (2), (3)", []),
    "a repeated key": ("(1), (2), (2), (2), (3)", [{"key_value": 2, "rows_with_key": 3, "failure": "repeated key"}]),
    "null keys": ("(1), (null), (null)", [{"key_value": None, "rows_with_key": 2, "failure": "null key"}]),
    "both": ("(null), (4), (4)", [{"key_value": None, "rows_with_key": 1, "failure": "null key"},
                                   {"key_value": 4, "rows_with_key": 2, "failure": "repeated key"}]),
}


def show(query: str, folder: Path) -> list[dict[str, Any]]:
    """The rows of an inline dbt query, run by the project's dbt on a scratch warehouse."""
    env = {**os.environ, "CRM_DUCKDB_PATH": str(folder / "scratch.duckdb"), "CRM_DUCKDB_TEMP_DIR": str(folder / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT)}
    run = subprocess.run([str(Path(sys.executable).parent / "dbt"), "show", "--inline", query, "--limit", "-1",
                          "--output", "json", "--log-format", "json", "--target-path", str(folder / "target"),
                          "--log-path", str(folder / "logs")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    previews = [event["data"]["preview"] for event in map(json.loads, run.stdout.splitlines())
                if event.get("data", {}).get("preview") is not None]
    assert len(previews) == 1, run.stdout[-3000:]
    return json.loads(previews[0])


@pytest.fixture(scope="module")
def primary_key_failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    arms = [f"select '{case}' as test_case, failures.* from ("
            f"{{{{ test_primary_key(model='(select * from (values {keys}) as keyed (id)) as keyed',"
            f" column_name='id') }}}}"
            f") as failures"
            for case, (keys, _) in PRIMARY_KEY_CASES.items()]
    rows = show("\nunion all\n".join(arms), tmp_path_factory.mktemp("generic_tests"))
    by_case: dict[str, list[dict[str, Any]]] = {case: [] for case in PRIMARY_KEY_CASES}
    for row in rows:
        by_case[row.pop("test_case")].append(row)
    return by_case


@pytest.mark.parametrize("case", PRIMARY_KEY_CASES)
def test_primary_key_returns_each_null_and_repeated_key(case: str,
                                                         primary_key_failures: dict[str, list[dict[str, Any]]]) -> None:
    _, expected = PRIMARY_KEY_CASES[case]
    failures = sorted(primary_key_failures[case], key=lambda row: (row["key_value"] is not None, row["key_value"]))
    assert failures == expected
