"""Do the marts say the same on PostgreSQL (or Spark) as on DuckDB?

For every table in the DuckDB `marts` schema, compares with the same table on the other
database: the
row count; per numeric or boolean column the non-null count and the sum (of trues); per date or
timestamp column the count, minimum and maximum; per text column the count and the number of
distinct values, and for a label column (at most 20 values) how many rows carry each value.
Exits non-zero and lists the differences when any figure differs (sums within a relative
tolerance: floating-point sums may differ in the last digits).

    python -m crm_warehouse.quality.compare_databases --duckdb warehouse/crm.duckdb [--engine spark]

PostgreSQL is asked directly (psycopg2, CRM_PG_* variables); Spark through one `dbt run-operation`
on the project's spark target (run it with .venv-spark's Python, where that dbt lives).
"""

from __future__ import annotations

import argparse
import json
import math
import numbers
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import duckdb

from .postgres import connect

INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN")
TEMPORAL_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
TEXT_TYPES = ("VARCHAR",)
MAX_LABEL_VALUES = 20
RELATIVE_TOLERANCE = 1e-9
Query = Callable[[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Difference:
    table: str
    figure: str
    duckdb_value: Any
    postgres_value: Any


def measures_for(column: str, data_type: str) -> dict[str, str]:
    """The figures compared for one column, by name, as SQL aggregates."""
    if data_type == "BOOLEAN":
        return {f"count({column})": f"count({column})",
                f"sum({column})": f"sum(case when {column} then 1 else 0 end)"}
    if data_type in INTEGER_TYPES:
        # Summed as decimal(38, 0): exact on every engine, where a bigint sum (e.g. of the
        # fingerprints) passes 2^63 and Spark's wraps round while DuckDB's widens.
        return {f"count({column})": f"count({column})", f"sum({column})": f"sum(cast({column} as decimal(38, 0)))"}
    if data_type in NUMERIC_TYPES:
        return {f"count({column})": f"count({column})", f"sum({column})": f"sum({column})"}
    if data_type in TEMPORAL_TYPES:
        return {f"count({column})": f"count({column})", f"min({column})": f"min({column})",
                f"max({column})": f"max({column})"}
    if data_type in TEXT_TYPES:
        return {f"count({column})": f"count({column})", f"distinct({column})": f"count(distinct {column})"}
    return {}


def figures_sql(schema: str, table: str, columns: list[tuple[str, str]]) -> tuple[list[str], str]:
    """The names of a table's figures (row count, every column's) and the one query computing them."""
    measures = {"rows": "count(*)"}
    for column, data_type in columns:
        measures.update(measures_for(column, data_type))
    return list(measures), f"select {', '.join(measures.values())} from {schema}.{table}"


def table_figures(query: Query, schema: str, table: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    """Row count and every column's figures, in one scan."""
    names, sql = figures_sql(schema, table, columns)
    [row] = query(sql)
    return dict(zip(names, row))


def labels_sql(schema: str, table: str, column: str) -> str:
    return f"select {column}, count(*) from {schema}.{table} group by {column}"


def label_counts(query: Query, schema: str, table: str, column: str) -> dict[Any, int]:
    return {value: int(count) for value, count in query(labels_sql(schema, table, column))}


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (date, datetime)) and isinstance(b, str):  # through JSON (Spark): text
        return str(a) == b or a.isoformat() == b
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)
    return a == b


@dataclass(frozen=True)
class Comparison:
    tables: int
    figures: int
    differences: list[Difference]


def compare(duckdb_query: Query, other_query: Query | None = None, schema: str = "marts",
            skip: frozenset[str] = frozenset(),
            other_batch: Callable[[list[str]], list[list[tuple[Any, ...]]]] | None = None) -> Comparison:
    """Every table of the schema but those in skip (models the other build disables). The other
    database answers one query at a time (other_query) or all of them at once (other_batch:
    Spark, through one dbt invocation)."""
    batch = other_batch or (lambda sqls: [other_query(sql) for sql in sqls])  # type: ignore[misc]
    columns_by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in duckdb_query(
            "select table_name, column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' order by table_name, ordinal_position"):
        if table not in skip:
            columns_by_table.setdefault(table, []).append((column, data_type.split("(")[0]))
    # What DuckDB says, and the queries that ask the other database the same.
    expected: list[tuple[str, str, Any]] = []  # (table, figure, value)
    queries: list[tuple[str, list[str] | str, str]] = []  # (table, figure names or a label column, sql)
    for table, columns in columns_by_table.items():
        names, sql = figures_sql(schema, table, columns)
        [row] = duckdb_query(sql)
        expected += [(table, name, value) for name, value in zip(names, row)]
        queries.append((table, names, sql))
        counts = dict(zip(names, row))
        for column, data_type in columns:
            if data_type in TEXT_TYPES and counts[f"distinct({column})"] <= MAX_LABEL_VALUES:
                expected.append((table, f"values({column})", label_counts(duckdb_query, schema, table, column)))
                queries.append((table, column, labels_sql(schema, table, column)))
    actual: dict[tuple[str, str], Any] = {}
    for (table, what, _), rows in zip(queries, batch([sql for _, _, sql in queries])):
        if isinstance(what, list):
            actual.update({(table, name): value for name, value in zip(what, rows[0])})
        else:
            actual[(table, f"values({what})")] = {value: int(count) for value, count in rows}
    differences = [Difference(table, figure, value, actual[(table, figure)])
                   for table, figure, value in expected if not same(value, actual[(table, figure)])]
    return Comparison(len(columns_by_table), len(expected), differences)


def disabled_models(manifest: Path) -> frozenset[str]:
    """Names of the models a build's manifest lists as disabled (none when it is missing)."""
    if not manifest.exists():
        return frozenset()
    disabled = json.loads(manifest.read_text()).get("disabled", {})
    return frozenset(node["name"] for nodes in disabled.values() for node in nodes
                     if node.get("resource_type") == "model")


def postgres_query() -> Query:
    postgres = connect()

    def query(sql: str) -> list[tuple[Any, ...]]:
        with postgres.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    return query


def spark_batch(target: Path) -> Callable[[list[str]], list[list[tuple[Any, ...]]]]:
    """Every query through one `dbt run-operation` on the spark target (its profile's session and
    cluster; macro query_results_as_json), rather than a second Spark configuration here."""
    def batch(queries: list[str]) -> list[list[tuple[Any, ...]]]:
        dbt = Path(sys.executable).parent / "dbt"
        done = subprocess.run(
            [str(dbt), "run-operation", "query_results_as_json", "--target", "spark", "--target-path", str(target),
             "--args", json.dumps({"queries": queries})], capture_output=True, text=True)
        out = done.stdout
        if done.returncode != 0 or "--- query results ---" not in out:
            raise SystemExit(f"the Spark queries failed:\n{out[-3000:]}{done.stderr[-2000:]}")
        document = out.split("--- query results ---", 1)[1].split("--- end of query results ---", 1)[0]
        return [[tuple(row) for row in rows] for rows in json.loads(document)]
    return batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", default=os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
    parser.add_argument("--engine", choices=("postgres", "spark"), default="postgres")
    parser.add_argument("--other-manifest", "--postgres-manifest", dest="manifest", default=None,
                        help="manifest of the other build (default target/<engine>-dbt/manifest.json): the models "
                             "it disables are not compared")
    args = parser.parse_args(argv)
    manifest = Path(args.manifest or f"target/{args.engine}-dbt/manifest.json")
    warehouse = duckdb.connect(args.duckdb, read_only=True)

    def duckdb_query(sql: str) -> list[tuple[Any, ...]]:
        return warehouse.execute(sql).fetchall()

    skip = disabled_models(manifest)
    if skip:
        print(f"not compared, disabled on {args.engine} (Python models run on DuckDB only): {', '.join(sorted(skip))}")
    if args.engine == "spark":
        result = compare(duckdb_query, skip=skip, other_batch=spark_batch(manifest.parent))
    else:
        result = compare(duckdb_query, postgres_query(), skip=skip)
    for d in result.differences:
        print(f"DIFF {d.table}.{d.figure}: duckdb {d.duckdb_value} != {args.engine} {d.postgres_value}")
    print(f"{result.tables} mart tables, {result.figures} figures compared: {len(result.differences)} differences")
    return 1 if result.differences else 0


if __name__ == "__main__":
    sys.exit(main())
