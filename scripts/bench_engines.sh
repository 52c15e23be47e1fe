#!/usr/bin/env bash
# The same build on the three engines at one scale, timed side by side:
#   scripts/bench_engines.sh <scale> [engine...]      (engines: duckdb postgres spark; default all)
# A scratch copy of the project under warehouse/bench/engines-sf<scale>/project gets the
# generator's CSV extract at that scale in place of seeds/crm (scale 1 is the committed seeds),
# so every engine loads it the way `make test-postgres` and `make test-spark` load the seeds:
# `dbt seed`, then `dbt build` (models, snapshot, every test), each timed. PostgreSQL and Spark
# then compare every mart with the DuckDB build (compare_databases). PostgreSQL and Spark read
# no Parquet, hence CSV seeds rather than the Parquet folder `make bench` reads.
# Figures: one table at the end, also in warehouse/bench/engines-sf<scale>/engines.txt; dbt's output
# in the *.log files beside it. An engine that fails is reported and the others still run; the
# exit status is then 1. PostgreSQL and Spark are compared with a DuckDB build of the same run, so
# duckdb runs first whenever it is selected, and without it they are built but not compared.
set -euo pipefail
scale=${1:?usage: scripts/bench_engines.sh <scale> [duckdb postgres spark]}
shift
selected=" ${*:-duckdb postgres spark} "
engines=()
for engine in duckdb postgres spark; do
    [[ $selected == *" $engine "* ]] && engines+=("$engine")
done
for engine in $selected; do
    [[ " duckdb postgres spark " == *" $engine "* ]] || { echo "unknown engine: $engine (duckdb, postgres, spark)" >&2; exit 2; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/warehouse/bench/engines-sf$scale"
project="$work/project"
mkdir -p "$work/tmp"
rm -rf "$project"
mkdir -p "$project"
# The checkout as it is (tracked files), without build output or environments.
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$project")
ln -s "$root/.venv" "$project/.venv"
[[ -d "$root/.venv-spark" ]] && ln -s "$root/.venv-spark" "$project/.venv-spark"

echo "engines: generating the extract at scale $scale as CSV seeds (seeds/crm of the scratch copy)"
rm -f "$project"/seeds/crm/*.csv
(cd "$root" && .venv/bin/python -m crm_warehouse.generator --scale "$scale" --format csv \
    --out "$project/seeds/crm" > "$work/generate.json")

cd "$project"
export DBT_PROFILES_DIR="$project" DBT_USE_COLORS=false
export CRM_DUCKDB_PATH="$work/crm.duckdb" CRM_DUCKDB_TEMP_DIR="$work/tmp"
rm -f "$work"/*.duckdb "$work"/*.duckdb.wal "$work"/*.log
: > "$work/engines.txt"

# timed <engine> <step> <log> <command...>: runs it, appends "engine step seconds" to the figures.
timed() {
    local engine=$1 step=$2 log=$3
    shift 3
    local start
    start=$(date +%s.%N)
    echo "engines: $engine $step ..."
    if ! "$@" >> "$work/$log" 2>&1; then
        echo "engines: $engine $step FAILED; the end of $work/$log:" >&2
        tail -40 "$work/$log" >&2
        return 1
    fi
    local seconds
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    printf '%s %s %.1f\n' "$engine" "$step" "$seconds" >> "$work/engines.txt"
    printf 'engines: %s %s %.1f s\n' "$engine" "$step" "$seconds"
}

# The statuses of a dbt command's nodes, from its run_results.json: "PASS=n ERROR=n ...".
statuses() {
    .venv/bin/python -c '
import collections, json, sys
results = json.load(open(sys.argv[1]))["results"]
counts = collections.Counter(r["status"].upper().replace("SUCCESS", "PASS") for r in results)
print(" ".join(f"{s}={n}" for s, n in sorted(counts.items())))' "$1"
}

# compare <engine> <python> [flags]: every mart against the DuckDB build of this run, if there is one.
compare() {
    local engine=$1 python=$2
    shift 2
    if [[ ! -f "$work/crm.duckdb" ]]; then
        echo "$engine compare: not run (no DuckDB build in this run)" >> "$work/engines.txt"
        return 0
    fi
    local status=0
    "$python" -m crm_warehouse.quality.compare_databases "$@" >> "$work/$engine.log" 2>&1 || status=$?
    echo "$engine compare $(tail -1 "$work/$engine.log")" >> "$work/engines.txt"
    return $status
}

export -f timed statuses compare
export work
failed=0

for engine in "${engines[@]}"; do
    case $engine in
        duckdb)
            timed duckdb seed duckdb.log .venv/bin/dbt seed --full-refresh \
                && timed duckdb build duckdb.log .venv/bin/dbt build --exclude-resource-type seed \
                && echo "duckdb result $(statuses target/run_results.json)" >> "$work/engines.txt" \
                || { echo "duckdb FAILED (see $work/duckdb.log)" >> "$work/engines.txt"; failed=1; }
            ;;
        postgres)
            flags="--target postgres --target-path target/postgres-dbt"
            scripts/with_postgres.sh bash -c "
                timed postgres seed postgres.log .venv/bin/dbt seed $flags --full-refresh \
                && timed postgres build postgres.log .venv/bin/dbt build $flags --exclude-resource-type seed \
                && echo \"postgres result \$(statuses target/postgres-dbt/run_results.json)\" >> \"\$work/engines.txt\" \
                && compare postgres .venv/bin/python" \
                || { echo "postgres FAILED (see $work/postgres.log)" >> "$work/engines.txt"; failed=1; }
            ;;
        spark)
            flags="--target spark --target-path target/spark-dbt"
            export CRM_ICEBERG_JAR
            CRM_ICEBERG_JAR=$(ls "$project"/.venv-spark/lib/python3.11/site-packages/snowpark_connect_deps_iceberg/jars/iceberg-spark-runtime-3.5_2.12-*.jar)
            CRM_SPARK_DIR="$project/warehouse/spark" scripts/with_spark.sh bash -c "
                timed spark seed spark.log .venv-spark/bin/dbt seed $flags --full-refresh \
                && timed spark build spark.log .venv-spark/bin/dbt build $flags --exclude-resource-type seed \
                && echo \"spark result \$(statuses target/spark-dbt/run_results.json)\" >> \"\$work/engines.txt\" \
                && compare spark .venv-spark/bin/python --engine spark" \
                || { echo "spark FAILED (see $work/spark.log)" >> "$work/engines.txt"; failed=1; }
            ;;
    esac
done

echo
echo "engines at scale $scale ($(.venv/bin/python -c '
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
customers, lines = rows.get("customers", 0), rows.get("order_items", 0)
print(f"{customers:,} customers, {lines:,} order lines")' "$work/generate.json")):"
cat "$work/engines.txt"
exit $failed
