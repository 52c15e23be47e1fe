"""Do the marts say the same on PostgreSQL as on DuckDB?

For every table in the DuckDB `marts` schema, compares the row count, and for every numeric or
boolean column the count of non-null values and the sum, with the same table on PostgreSQL.
Exits non-zero and lists the differences when any figure differs beyond a relative tolerance
(floating-point sums may differ in the last digits).

    python -m crm_warehouse.quality.compare_databases --duckdb warehouse/crm.duckdb
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

import duckdb

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN")
RELATIVE_TOLERANCE = 1e-9
Query = Callable[[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Difference:
    table: str
    figure: str
    duckdb_value: Any
    postgres_value: Any


def table_figures(query: Query, schema: str, table: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    """Row count, and per (column, type) the non-null count and the sum (of trues), in one scan."""
    measures = ["count(*)"]
    for column, data_type in columns:
        value = f"case when {column} then 1 else 0 end" if data_type == "BOOLEAN" else column
        measures += [f"count({column})", f"sum({value})"]
    [row] = query(f"select {', '.join(measures)} from {schema}.{table}")
    names = ["rows"] + [f"{kind}({column})" for column, _ in columns for kind in ("count", "sum")]
    return dict(zip(names, row))


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-6)


def compare(duckdb_query: Query, postgres_query: Query, schema: str = "marts") -> tuple[int, list[Difference]]:
    columns_by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in duckdb_query(
            "select table_name, column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' order by table_name, ordinal_position"):
        columns_by_table.setdefault(table, [])
        base_type = data_type.split("(")[0]
        if base_type in NUMERIC_TYPES:
            columns_by_table[table].append((column, base_type))
    differences = []
    for table, columns in columns_by_table.items():
        expected = table_figures(duckdb_query, schema, table, columns)
        actual = table_figures(postgres_query, schema, table, columns)
        differences += [Difference(table, figure, value, actual[figure])
                        for figure, value in expected.items() if not same(value, actual[figure])]
    return len(columns_by_table), differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb", default=os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
    args = parser.parse_args(argv)

    import psycopg2  # only this check needs it

    postgres = psycopg2.connect(
        host=os.environ.get("CRM_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CRM_PG_PORT", "54329")),
        user=os.environ.get("CRM_PG_USER", "crm"), password=os.environ.get("CRM_PG_PASSWORD", ""),
        dbname=os.environ.get("CRM_PG_DATABASE", "crm"))
    warehouse = duckdb.connect(args.duckdb, read_only=True)

    def postgres_query(sql: str) -> list[tuple[Any, ...]]:
        with postgres.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def duckdb_query(sql: str) -> list[tuple[Any, ...]]:
        return warehouse.execute(sql).fetchall()

    tables, differences = compare(duckdb_query, postgres_query)
    for d in differences:
        print(f"DIFF {d.table}.{d.figure}: duckdb {d.duckdb_value} != postgres {d.postgres_value}")
    print(f"{tables} mart tables compared, {len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
