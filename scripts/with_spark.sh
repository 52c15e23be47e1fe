#!/usr/bin/env bash
# Run a command against the local Spark cluster (scripts/spark_cluster.sh): started before,
# stopped after, whatever the command's result. The metastore and tables are fresh each time.
#   scripts/with_spark.sh .venv-spark/bin/dbt build --target spark
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CRM_SPARK_DIR=${CRM_SPARK_DIR:-$root/warehouse/spark}
export CRM_SPARK_LOG4J=${CRM_SPARK_LOG4J:-$root/scripts/spark-log4j2.properties}
rm -rf "$CRM_SPARK_DIR/tables" "$CRM_SPARK_DIR/metastore_db"
"$root/scripts/spark_cluster.sh" start
trap '"$root/scripts/spark_cluster.sh" stop' EXIT
"$@"
