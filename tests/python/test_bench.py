"""The benchmark's pure parts: budgets, the table, the replay order and replay, the +1% data change.

No dbt build here (the benchmark itself is `python -m crm_warehouse.bench`); everything runs in seconds.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from crm_warehouse import bench
from crm_warehouse.bench import (
    BUDGETS_FILE, Budgets, DataChange, DbtRun, Line, NodeTime, OverBudget, Report, check_budgets, format_table,
    make_changed_copy, phases, replay_main, report_lines, topological_order,
)
from crm_warehouse.generator import generate
from crm_warehouse.generator.simulate import TABLES

ROOT = Path(__file__).resolve().parents[2]


# --- budgets -------------------------------------------------------------------------------------

def test_budget_scales_with_order_lines_above_a_floor() -> None:
    budgets = Budgets(floor_s=5.0, default_per_million=10.0, per_million={"fct_big": 2.0})
    assert budgets.limit("fct_big", 1_000_000) == 5.0  # 2 s per million is below the floor
    assert budgets.limit("fct_big", 10_000_000) == 20.0
    assert budgets.limit("not_listed", 2_000_000) == 20.0  # the default


def test_a_model_with_a_fixed_cost_has_its_own_floor(tmp_path: Path) -> None:
    path = tmp_path / "budgets.yml"
    path.write_text("floor_seconds: 5.0\ndefault_seconds_per_million_lines: 10.0\n"
                    "models:\n  fits: {per_million_lines: 2.0, floor_seconds: 30.0}\n  fct_big: 2.0\n")
    budgets = Budgets.load(path)
    assert budgets.limit("fits", 1_000_000) == 30.0  # its floor, not the global one
    assert budgets.limit("fits", 20_000_000) == 40.0  # the per-line budget above it
    assert budgets.limit("fct_big", 1_000_000) == 5.0


def test_models_over_budget_are_listed_worst_first() -> None:
    budgets = Budgets(floor_s=1.0, default_per_million=1.0, per_million={"a": 8.0})
    over = check_budgets({"a": 12.3, "b": 0.5, "c": 3.0, "d": 1.0}, budgets, order_lines=1_000_000)
    assert over == [OverBudget("a", 12.3, 8.0), OverBudget("c", 3.0, 1.0)]
    assert over[0].line() == "OVER BUDGET a: 12.3 s > 8.0 s"


def test_committed_budgets_name_existing_models() -> None:
    budgets = Budgets.load(BUDGETS_FILE)
    assert budgets.floor_s > 0 and budgets.default_per_million > 0
    models = {path.stem for pattern in ("*.sql", "*.py") for path in (ROOT / "models").rglob(pattern)}
    assert set(budgets.per_million) <= models, "budgets for models that no longer exist"


# --- run results and the table ---------------------------------------------------------------------

def test_phases_sum_execution_time_by_resource_type() -> None:
    times = [NodeTime("m1", "model", 3.0, "success"), NodeTime("m2", "model", 1.0, "success"),
             NodeTime("s", "snapshot", 1.0, "success"), NodeTime("t1", "test", 4.0, "pass"),
             NodeTime("u1", "unit_test", 1.0, "fail"), NodeTime("w", "test", 0.0, "warn"),
             NodeTime("hook", "operation", 9.0, "success"), NodeTime("kpi", "saved_query", 0.0, "no-op")]
    result = phases(times)
    assert (result.model_s, result.snapshot_s, result.test_s) == (4.0, 1.0, 5.0)
    assert (result.models, result.tests, result.failures, result.warnings) == (2, 3, 1, 1)
    assert result.test_share == pytest.approx(0.5)


def test_table_aligns_labels_and_values() -> None:
    text = format_table("Title", [Line("short", "1.0 s", "a note"), Line("a longer label", "123.4 s")])
    rows = text.splitlines()
    assert rows[0] == "Title" and set(rows[1]) == {"-"} and rows[-1] == rows[1]
    assert rows[2] == "  short             1.0 s  a note"
    assert rows[3] == "  a longer label  123.4 s"


def test_report_renders_every_figure() -> None:
    run = DbtRun(30.0, 500.0, 0, 25.0, {"fct_order_lines": 2.0, "dim_customers": 1.0, "scores": 5.0})
    report = Report(scale=1.0, data_dir="data/sf1", work_dir="w", customers=2000, order_lines=22500,
                    machine=bench.Machine("AMD EPYC", 2, 23.4, bench.Calibration(1.05, 0.3),
                                          bench.Calibration(1.25, 0.42)),
                    build=DbtRun(80.0, 600.0, 0, 70.0, {}), run_full=run,
                    phases=phases([NodeTime("m", "model", 3.0, "success"), NodeTime("t", "test", 1.0, "pass")]),
                    replay=bench.Replay(10.0, 300.0, 2, ["snap_customer_state"], {}, [], ["scores"]),
                    run_floor=DbtRun(20.0, 400.0, 0, 15.0, {}), run_incremental=DbtRun(24.0, 400.0, 0, 19.0,
                                                                                      {"fct_order_lines": 0.5}),
                    change=DataChange("2025-12-31", "2026-01-07", 100, 230, 10, 7),
                    incremental_models=["fct_order_lines"], database_mb=2048.0,
                    slowest=[NodeTime("fct_order_lines", "model", 2.0, "success")])
    text = format_table("t", report_lines(report))
    for expected in ("2,000", "22,500", "reused", "80.0 s", "peak RSS 600 MB", "dbt start-up and parsing 10.0 s", "25%",
                     "2.00 x", "+5.0 s", "80% of the full run (76% in dbt's own time)", "+100 orders",
                     "230 lines, dated up to 2026-01-07; 10 late status changes",
                     "full refresh: 2.0 s", "2.00 GB", "snap_customer_state", "2 cores", "AMD EPYC, 23 GB memory",
                     "DuckDB 1.05 s, Python 0.30 s (fixed work", "DuckDB 1.25 s, Python 0.42 s"):
        assert expected in text, expected
    figures = json.loads(json.dumps(report.to_json()))
    assert figures["replay_ratio"] == 2.0 and figures["incremental_share"] == 0.8
    assert figures["machine"]["calibration_after"] == {"duckdb_s": 1.25, "python_s": 0.42}
    assert figures["incremental_share_dbt"] == pytest.approx(0.76)


def test_calibration_times_the_fixed_query() -> None:
    calibration = bench.calibrate(repeats=1)
    assert 0.0 < calibration.duckdb_s < 60.0 and 0.0 < calibration.python_s < 60.0


# --- replay --------------------------------------------------------------------------------------

def test_topological_order_puts_dependencies_first_and_is_stable() -> None:
    deps = {"d": ["b", "c"], "b": ["a", "source.x"], "c": ["a"], "a": [], "e": []}
    order = topological_order(deps)
    assert order == ["a", "b", "c", "d", "e"]
    for node, needs in deps.items():
        assert all(order.index(n) < order.index(node) for n in needs if n in deps)
    with pytest.raises(ValueError, match="cycle"):
        topological_order({"a": ["b"], "b": ["a"], "c": []})


def test_replay_runs_the_run_sql_on_a_fresh_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A view over a seed and a file view, a table over the view, a Python model (copied) and a
    restricted model (another database, the session's key salt)."""
    monkeypatch.setenv("DBT_ENV_SECRET_CRM_KEY_SALT", "it's salt")
    source_db = tmp_path / "built" / "bench.duckdb"
    source_db.parent.mkdir()
    con = duckdb.connect(str(source_db))
    con.execute("create schema reference; create table reference.codes as select 1 as code")
    con.execute("create schema crm_files; create view crm_files.orders as select 10 as order_id")
    con.execute("create schema staging; create table staging.stale as select 0 as x")  # a model: not copied
    con.execute("create schema marts; create table marts.fct as select * from range(2)")  # dbt's: 2 rows
    con.execute("create table marts.scores as select * from range(3)")  # a Python model's table
    con.close()
    target = tmp_path / "target"
    model_sql = {
        "stg": 'create view "bench"."staging"."stg__dbt_tmp" as (select order_id, code from crm_files.orders, '
               'reference.codes)',
        "fct": 'create table "bench"."marts"."fct__dbt_tmp" (order_id integer, code integer);\n'
               'insert into "bench"."marts"."fct__dbt_tmp" (select * from "bench"."staging"."stg")',
        # Personal data: in the attached restricted database, keyed with the session's salt.
        "contacts": 'create table "restricted"."restricted"."contacts__dbt_tmp" as '
                    "(select order_id, getvariable('crm_key_salt') as salt from \"bench\".\"staging\".\"stg\")",
    }
    nodes = {}
    for name, schema, deps in (("fct", "marts", ["model.p.stg"]), ("stg", "staging", ["source.p.crm.orders"]),
                               ("stale", "staging", []), ("contacts", "restricted", ["model.p.stg"])):
        nodes[f"model.p.{name}"] = {"resource_type": "model", "name": name, "alias": name, "schema": schema,
                                    "database": "restricted" if schema == "restricted" else "bench",
                                    "package_name": "p", "original_file_path": f"models/{name}.sql",
                                    "config": {"materialized": "view" if name == "stg" else "table"},
                                    "depends_on": {"nodes": deps}}
        if name in model_sql:
            (target / "run" / "p" / "models").mkdir(parents=True, exist_ok=True)
            (target / "run" / "p" / "models" / f"{name}.sql").write_text(model_sql[name])
    nodes["model.p.scores"] = {"resource_type": "model", "name": "scores", "alias": "scores", "schema": "marts",
                               "database": "bench",
                               "package_name": "p", "original_file_path": "models/scores.py", "language": "python",
                               "config": {"materialized": "table"}, "depends_on": {"nodes": ["model.p.stg"]}}
    nodes["snapshot.p.snap"] = {"resource_type": "snapshot", "name": "snap"}
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    replay_db = tmp_path / "replay" / "bench.duckdb"
    replay_main(target, source_db, replay_db, tmp_path / "replay.json")
    result = json.loads((tmp_path / "replay.json").read_text())
    assert list(result["model_seconds"]) == ["stg", "contacts", "fct"] and result["skipped"] == ["snap"]
    assert result["python_models"] == ["scores"]
    assert result["row_counts_differ"] == ["fct"]  # 1 row here, 2 in the "dbt" database; views not compared
    con = duckdb.connect(str(replay_db), read_only=True)
    assert con.execute("select * from marts.fct").fetchall() == [(10, 1)]
    assert con.execute("select count(*) from marts.scores").fetchone() == (3,)
    assert con.execute("select count(*) from duckdb_tables() where table_name = 'stale'").fetchone() == (0,)
    con.close()
    with duckdb.connect(str(tmp_path / "replay" / "bench_restricted.duckdb"), read_only=True) as con:
        assert con.execute("select * from restricted.contacts").fetchall() == [(10, "it's salt")]


# --- the +1% change ------------------------------------------------------------------------------

def test_source_tables_are_the_generators() -> None:
    assert sorted(bench.SOURCE_TABLES) == sorted(TABLES)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, DataChange]:
    folder = tmp_path_factory.mktemp("bench")
    generate(folder / "source", scale=0.05, fmt="parquet")
    return folder / "source", folder / "changed", make_changed_copy(folder / "source", folder / "changed")


def query(sql: str) -> list[tuple[object, ...]]:
    return duckdb.sql(sql).fetchall()


def test_new_orders_are_one_percent_dated_after_the_last_order(changed: tuple[Path, Path, DataChange]) -> None:
    source, target, change = changed
    (old_orders, old_max, last_on), = query(
        f"select count(distinct order_id), max(order_id), max(try_cast(left(ordered_at, 10) as date))"
        f" from '{source}/orders.parquet'")
    assert change.new_orders == max(1, round(0.01 * old_orders))
    assert change.last_order_on == str(last_on)
    new = query(f"select order_id, customer_id, web_account_id, ordered_at, updated_at"
                f" from '{target}/orders.parquet' where order_id > {old_max}")
    assert len({row[0] for row in new}) == change.new_orders
    for _, customer_id, web_account_id, ordered_at, updated_at in new:
        assert customer_id is not None or web_account_id is not None
        assert str(last_on) < str(ordered_at)[:10] <= change.new_last_order_on
        assert str(updated_at) > str(ordered_at)
    (customers_known,), = query(
        f"select bool_and(customer_id in (select customer_id from '{source}/customers.parquet'))"
        f" from '{target}/orders.parquet' where order_id > {old_max} and customer_id is not null")
    assert customers_known


def test_new_lines_belong_to_the_new_orders(changed: tuple[Path, Path, DataChange]) -> None:
    source, target, change = changed
    (old_lines, max_item, max_order), = query(
        f"select count(*), max(order_item_id), (select max(order_id) from '{source}/orders.parquet')"
        f" from '{source}/order_items.parquet'")
    rows = query(f"select i.order_item_id, i.order_id, i.updated_at = o.updated_at"
                 f" from '{target}/order_items.parquet' as i"
                 f" left join (select distinct order_id, updated_at from '{target}/orders.parquet') as o"
                 f" using (order_id) where i.order_item_id > {max_item}")
    assert len(rows) == change.new_order_lines > 0
    assert all(order_id > max_order and same_stamp for _, order_id, same_stamp in rows)
    assert query(f"select count(*) from '{target}/order_items.parquet'") == [(old_lines + change.new_order_lines,)]


def test_late_changes_return_recent_completed_orders(changed: tuple[Path, Path, DataChange]) -> None:
    source, target, change = changed
    diffs = query(f"""
        select distinct old.order_status, new.order_status, old.ordered_at, new.updated_at > old.updated_at
        from '{source}/orders.parquet' as old
        inner join '{target}/orders.parquet' as new using (order_id)
        where old.order_status is distinct from new.order_status or old.updated_at is distinct from new.updated_at
    """)
    assert len(diffs) == change.changed_orders >= 1
    for old_status, new_status, ordered_at, newer in diffs:
        assert (old_status, new_status, newer) == ("completed", "returned", True)
        assert date.fromisoformat(str(ordered_at)[:10]) > date.fromisoformat(change.last_order_on) - timedelta(days=30)


def test_other_tables_link_to_the_source_and_rates_cover_the_new_days(changed: tuple[Path, Path, DataChange]) -> None:
    source, target, change = changed
    for table in bench.SOURCE_TABLES:
        if table not in ("orders", "order_items", "exchange_rates"):
            assert (target / f"{table}.parquet").resolve() == (source / f"{table}.parquet").resolve()
    missing = query(f"""
        select distinct left(o.ordered_at, 10), o.currency_code from '{target}/orders.parquet' as o
        where left(o.ordered_at, 10) > '{change.last_order_on}' and not exists (
            select 1 from '{target}/exchange_rates.parquet' as r
            where r.rate_date = left(o.ordered_at, 10) and r.currency_code = o.currency_code)
    """)
    assert missing == []
    assert change.new_rate_days >= 1


def test_the_change_is_deterministic(changed: tuple[Path, Path, DataChange], tmp_path: Path) -> None:
    source, target, change = changed
    assert make_changed_copy(source, tmp_path) == change
    for table in ("orders", "order_items", "exchange_rates"):
        sql = "select * from '{}/{}.parquet' order by all"
        assert query(sql.format(tmp_path, table)) == query(sql.format(target, table))


def test_generated_data_is_stamped_and_regenerated_when_the_generator_changes(tmp_path: Path) -> None:
    folder = tmp_path / "sf1"
    folder.mkdir()
    for table in bench.SOURCE_TABLES:
        (folder / f"{table}.parquet").write_bytes(b"")
    assert not bench.is_stale(folder, 1.0)  # no stamp: someone's own extract, used as it is
    (folder / bench.STAMP).write_text(bench.generator_stamp(1.0) + "\n")
    assert not bench.is_stale(folder, 1.0)
    assert bench.is_stale(folder, 2.0)  # another scale
    (folder / bench.STAMP).write_text("0" * 64 + "\n")  # another generator
    assert bench.is_stale(folder, 1.0)
