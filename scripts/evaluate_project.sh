#!/usr/bin/env bash
# dbt Labs' project evaluator over this project, with its settings for this project
# (evaluator/dbt_project_evaluator_vars.yml) and its exceptions
# (evaluator/dbt_project_evaluator_exceptions.csv, one reason per row). A development check, not part of CI (the evaluator is not on PyPI): it needs
# plain checkouts of dbt-labs/dbt-utils and dbt-labs/dbt-project-evaluator in PEERS_DIR, as
# dbt_utils/ and dbt_project_evaluator/. Everything runs in a scratch copy (its own DuckDB
# file); the project and its warehouse are not touched.
#   scripts/evaluate_project.sh PEERS_DIR
# Prints one line per rule with rows left and the rows below it, then the total.
set -euo pipefail
peers=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/project"
cp -r "$peers/dbt_utils" "$peers/dbt_project_evaluator" "$scratch/"
printf 'packages:\n  - local: %s/dbt_utils\n' "$scratch" > "$scratch/dbt_project_evaluator/packages.yml"
(cd "$root" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$scratch/project"
cd "$scratch/project"
printf 'packages:\n  - local: %s/dbt_utils\n  - local: %s/dbt_project_evaluator\n' "$scratch" "$scratch" > packages.yml
# Our exceptions seed replaces the package's blank one (the evaluator ignores exceptions kept in
# its own package); the evaluator's macros take precedence for dbt's namespace.
mkdir -p seeds/evaluator
cp "$root/evaluator/dbt_project_evaluator_exceptions.csv" seeds/evaluator/
export EVALUATOR_VARS="$root/evaluator/dbt_project_evaluator_vars.yml"
export EVAL_DB="$scratch/evaluator.duckdb" DO_NOT_TRACK=1 DBT_SEND_ANONYMOUS_USAGE_STATS=False
"$root/.venv/bin/python" - <<'PY'
import os
import pathlib

import yaml

project = pathlib.Path("dbt_project.yml")
config = yaml.safe_load(project.read_text())
evaluator_vars = yaml.safe_load(pathlib.Path(os.environ["EVALUATOR_VARS"]).read_text())
config.setdefault("vars", {}).update(evaluator_vars)
config.setdefault("dispatch", []).append({"macro_namespace": "dbt", "search_order": ["dbt_project_evaluator", "dbt"]})
config.setdefault("seeds", {}).setdefault("dbt_project_evaluator", {})["dbt_project_evaluator_exceptions"] = {"+enabled": False}
project.write_text(yaml.safe_dump(config, sort_keys=False))
profile = {config["profile"]: {"target": "evaluator", "outputs": {"evaluator": {
    "type": "duckdb", "path": os.environ["EVAL_DB"], "schema": "main", "threads": 2}}}}
pathlib.Path("profiles.yml").write_text(yaml.safe_dump(profile, sort_keys=False))
PY
dbt="$root/.venv/bin/dbt"
"$dbt" deps --profiles-dir . > "$scratch/deps.log" 2>&1 || { tail -20 "$scratch/deps.log" >&2; exit 1; }
if ! "$dbt" build --profiles-dir . --select package:dbt_project_evaluator dbt_project_evaluator_exceptions \
        > "$scratch/build.log" 2>&1; then
    grep -aE "ERROR|Error" "$scratch/build.log" | head -20 >&2; exit 1
fi
grep -aE 'Done\. PASS=' "$scratch/build.log" | sed 's/^.*Done\./evaluator build:/'
"$root/.venv/bin/python" - <<'PY'
import json
import os

import duckdb

manifest = json.load(open("target/manifest.json"))
con = duckdb.connect(os.environ["EVAL_DB"], read_only=True)
total = 0
for node in sorted(manifest["nodes"].values(), key=lambda n: n["name"]):
    if node["resource_type"] != "model" or node["package_name"] != "dbt_project_evaluator" \
            or not node["name"].startswith("fct_") or node["name"].endswith("_coverage"):
        continue
    result = con.sql(f'select * from "{node["schema"]}"."{node["alias"]}"')
    columns = [d[0] for d in result.description]
    rows = sorted(result.fetchall(), key=str)
    if rows:
        total += len(rows)
        print(f"{node['name']}: {len(rows)}")
        for row in rows:
            print("    " + ", ".join(f"{c}={v}" for c, v in zip(columns, row) if v is not None))
print(f"evaluator: {total} rows left (exceptions: evaluator/dbt_project_evaluator_exceptions.csv)")
PY
