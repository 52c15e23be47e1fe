"""Do the marts say the same on PostgreSQL as on DuckDB?

For every table in the DuckDB `marts` schema, compares with the same table on PostgreSQL: the
row count; per numeric or boolean column the non-null count and the sum (of trues); per date or
timestamp column the count, minimum and maximum; per text column the count and the number of
distinct values, and for a label column (at most 20 values) how many rows carry each value.
Exits non-zero and lists the differences when any figure differs (sums within a relative
tolerance: floating-point sums may differ in the last digits).

    python -m crm_warehouse.quality.compare_databases --duckdb warehouse/crm.duckdb
"""

from __future__ import annotations

import argparse
import json
import math
import numbers
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import duckdb

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
    if data_type in NUMERIC_TYPES:
        return {f"count({column})": f"count({column})", f"sum({column})": f"sum({column})"}
    if data_type in TEMPORAL_TYPES:
        return {f"count({column})": f"count({column})", f"min({column})": f"min({column})",
                f"max({column})": f"max({column})"}
    if data_type in TEXT_TYPES:
        return {f"count({column})": f"count({column})", f"distinct({column})": f"count(distinct {column})"}
    return {}


def table_figures(query: Query, schema: str, table: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    """Row count and every column's figures, in one scan."""
    measures = {"rows": "count(*)"}
    for column, data_type in columns:
        measures.update(measures_for(column, data_type))
    [row] = query(f"select {', '.join(measures.values())} from {schema}.{table}")
    return dict(zip(measures, row))


def label_counts(query: Query, schema: str, table: str, column: str) -> dict[Any, int]:
    return dict(query(f"select {column}, count(*) from {schema}.{table} group by {column}"))


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)
    return a == b


@dataclass(frozen=True)
class Comparison:
    tables: int
    figures: int
    differences: list[Difference]


def compare(duckdb_query: Query, postgres_query: Query, schema: str = "marts",
            skip: frozenset[str] = frozenset()) -> Comparison:
    """Every table of the schema but those in skip (models the PostgreSQL build disables)."""
    columns_by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in duckdb_query(
            "select table_name, column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' order by table_name, ordinal_position"):
        if table not in skip:
            columns_by_table.setdefault(table, []).append((column, data_type.split("(")[0]))
    differences = []
    figures = 0
    for table, columns in columns_by_table.items():
        expected = table_figures(duckdb_query, schema, table, columns)
        figures += len(expected)
        actual = table_figures(postgres_query, schema, table, columns)
        differences += [Difference(table, figure, value, actual[figure])
                        for figure, value in expected.items() if not same(value, actual[figure])]
        for column, data_type in columns:
            if data_type in TEXT_TYPES and expected[f"distinct({column})"] <= MAX_LABEL_VALUES:
                figures += 1
                expected_labels = label_counts(duckdb_query, schema, table, column)
                actual_labels = label_counts(postgres_query, schema, table, column)
                if expected_labels != actual_labels:
                    differences.append(Difference(table, f"values({column})", expected_labels, actual_labels))
    return Comparison(len(columns_by_table), figures, differences)


def disabled_models(manifest: Path) -> frozenset[str]:
    """Names of the models a build's manifest lists as disabled (none when it is missing)."""
    if not manifest.exists():
        return frozenset()
    disabled = json.loads(manifest.read_text()).get("disabled", {})
    return frozenset(node["name"] for nodes in disabled.values() for node in nodes
                     if node.get("resource_type") == "model")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", default=os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
    parser.add_argument("--postgres-manifest", default="target/postgres-dbt/manifest.json",
                        help="manifest of the PostgreSQL build: the models it disables are not compared")
    args = parser.parse_args(argv)

    import psycopg2  # only this check needs it

    postgres = psycopg2.connect(
        host=os.environ.get("CRM_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CRM_PG_PORT", "54329")),
        user=os.environ.get("CRM_PG_USER", "crm_owner"), password=os.environ.get("CRM_PG_PASSWORD", ""),
        dbname=os.environ.get("CRM_PG_DATABASE", "crm"))
    warehouse = duckdb.connect(args.duckdb, read_only=True)

    def postgres_query(sql: str) -> list[tuple[Any, ...]]:
        with postgres.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def duckdb_query(sql: str) -> list[tuple[Any, ...]]:
        return warehouse.execute(sql).fetchall()

    skip = disabled_models(Path(args.postgres_manifest))
    if skip:
        print(f"not compared, disabled on PostgreSQL (Python models run on DuckDB only): {', '.join(sorted(skip))}")
    result = compare(duckdb_query, postgres_query, skip=skip)
    for d in result.differences:
        print(f"DIFF {d.table}.{d.figure}: duckdb {d.duckdb_value} != postgres {d.postgres_value}")
    print(f"{result.tables} mart tables, {result.figures} figures compared: {len(result.differences)} differences")
    return 1 if result.differences else 0


if __name__ == "__main__":
    sys.exit(main())
