#!/usr/bin/env bash
# A Spark standalone cluster on this machine: one master and one worker on 127.0.0.1, started
# from the pip pyspark in .venv-spark (its bin/spark-class), for `make test-spark`. State,
# logs and the Iceberg warehouse live under warehouse/spark (git-ignored).
#   scripts/spark_cluster.sh start | stop | status
# SPARK_WORKER_MEMORY (default 6g) and SPARK_WORKER_CORES (default 2) size the worker.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/warehouse/spark/cluster"
export SPARK_HOME="$root/.venv-spark/lib/python3.11/site-packages/pyspark"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$state/logs" SPARK_LOCAL_DIRS="$state/tmp"
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
master_url=spark://127.0.0.1:7077

is_running() { [[ -f "$state/$1.pid" ]] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

launch() {  # name, class and its arguments
    local name=$1
    shift
    if is_running "$name"; then
        echo "spark: $name already running (pid $(cat "$state/$name.pid"))"
        return
    fi
    # The worker deletes finished applications' folders (each holds a copy of the jars).
    SPARK_WORKER_OPTS="-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=300 -Dspark.worker.cleanup.appDataTtl=600" \
        SPARK_DAEMON_MEMORY=512m nohup "$SPARK_HOME/bin/spark-class" "$@" > "$SPARK_LOG_DIR/$name.out" 2>&1 < /dev/null &
    echo $! > "$state/$name.pid"
}

case "${1:-}" in
    start)
        command -v java > /dev/null || { echo "spark: no java here (Spark needs Java 17)" >&2; exit 2; }
        [[ -x "$SPARK_HOME/bin/spark-class" ]] || { echo "spark: no $SPARK_HOME (make spark-env)" >&2; exit 2; }
        mkdir -p "$SPARK_LOG_DIR" "$SPARK_LOCAL_DIRS" "$state/worker"
        launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 8080
        for _ in $(seq 1 120); do (exec 3<> /dev/tcp/127.0.0.1/7077) 2> /dev/null && break; sleep 0.5; done
        launch worker org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 8081 \
            --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-6g}" --work-dir "$state/worker" "$master_url"
        for _ in $(seq 1 120); do
            if curl -fsL http://127.0.0.1:8080/json/ 2> /dev/null | grep -q '"aliveworkers" *: *[1-9]'; then
                echo "spark: cluster up at $master_url, 1 worker (${SPARK_WORKER_CORES:-2} cores, ${SPARK_WORKER_MEMORY:-6g}); UI http://127.0.0.1:8080"
                exit 0
            fi
            sleep 0.5
        done
        echo "spark: the worker did not register; logs in $SPARK_LOG_DIR" >&2
        exit 1
        ;;
    stop)
        for name in worker master; do
            if is_running "$name"; then kill "$(cat "$state/$name.pid")"; fi
            rm -f "$state/$name.pid"
        done
        echo "spark: cluster stopped"
        ;;
    status)
        curl -fsL http://127.0.0.1:8080/json/ || { echo "spark: no cluster running"; exit 1; }
        ;;
    *)
        echo "usage: $0 start | stop | status" >&2
        exit 2
        ;;
esac
