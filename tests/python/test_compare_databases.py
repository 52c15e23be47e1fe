"""The cross-database comparison finds a differing figure and passes equal marts."""

from __future__ import annotations

import duckdb

from crm_warehouse.quality.compare_databases import compare


def mart_database(revenue: float, churned: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute("create table marts.fct_sales (sales_id varchar, revenue double, is_churned boolean, note varchar)")
    con.execute("insert into marts.fct_sales values ('a', 10.0, false, 'x'), ('b', ?, ?, 'y')", [revenue, churned])
    return con


def test_equal_marts_have_no_differences() -> None:
    left, right = mart_database(5.0, True), mart_database(5.0, True)
    tables, differences = compare(lambda sql: left.execute(sql).fetchall(), lambda sql: right.execute(sql).fetchall())
    assert tables == 1
    assert differences == []


def test_a_differing_sum_and_flag_are_reported() -> None:
    left, right = mart_database(5.0, True), mart_database(5.5, False)
    _, differences = compare(lambda sql: left.execute(sql).fetchall(), lambda sql: right.execute(sql).fetchall())
    assert {(d.table, d.figure) for d in differences} == {("fct_sales", "sum(revenue)"), ("fct_sales", "sum(is_churned)")}
