"""The cross-database comparison finds differing figures and passes equal marts."""

from __future__ import annotations

import duckdb

from crm_warehouse.quality.compare_databases import compare


def mart_database(revenue: float = 5.0, churned: bool = True, tier: str = "key",
                  last_day: str = "2025-12-31") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute("create table marts.fct_sales (sales_id varchar, revenue double, is_churned boolean, "
                "value_tier varchar, sold_on date)")
    con.execute("insert into marts.fct_sales values ('a', 10.0, false, 'small', date '2025-01-01'), "
                "('b', ?, ?, ?, cast(? as date))", [revenue, churned, tier, last_day])
    return con


def differing_figures(left: duckdb.DuckDBPyConnection, right: duckdb.DuckDBPyConnection) -> set[str]:
    result = compare(lambda sql: left.execute(sql).fetchall(), lambda sql: right.execute(sql).fetchall())
    assert result.tables == 1
    # rows; count and sum of 2 numeric columns; count, min, max of the date; count and
    # distinct of 2 text columns; the value counts of 2 label columns
    assert result.figures == 1 + 2 * 2 + 3 + 2 * 2 + 2
    return {d.figure for d in result.differences}


def test_equal_marts_have_no_differences() -> None:
    assert differing_figures(mart_database(), mart_database()) == set()


def test_a_differing_sum_and_flag_are_reported() -> None:
    assert differing_figures(mart_database(), mart_database(revenue=5.5, churned=False)) == {
        "sum(revenue)", "sum(is_churned)"}


def test_a_relabelled_row_and_a_moved_date_are_reported() -> None:
    assert differing_figures(mart_database(), mart_database(tier="major", last_day="2025-12-30")) == {
        "values(value_tier)", "max(sold_on)"}


def test_marts_disabled_on_postgres_are_skipped_and_read_from_its_manifest(tmp_path) -> None:
    import json

    from crm_warehouse.quality.compare_databases import disabled_models

    duck = mart_database()
    duck.execute("create table marts.fct_python_only (score double)")
    duck.execute("insert into marts.fct_python_only values (0.5)")
    postgres = mart_database()  # has no fct_python_only: comparing it would fail
    result = compare(lambda sql: duck.execute(sql).fetchall(), lambda sql: postgres.execute(sql).fetchall(),
                     skip=frozenset({"fct_python_only"}))
    assert result.tables == 1 and not result.differences
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"disabled": {
        "model.p.fct_python_only": [{"name": "fct_python_only", "resource_type": "model"}],
        "test.p.some_test": [{"name": "some_test", "resource_type": "test"}]}}))
    assert disabled_models(manifest) == {"fct_python_only"}
    assert disabled_models(tmp_path / "missing.json") == frozenset()
