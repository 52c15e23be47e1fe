"""Benchmark of the warehouse build at a scale factor: prints one table of figures.

    python -m crm_warehouse.bench --scale 5 [--data DIR] [--work DIR] [--json PATH] [--strict]

Steps, each printed with its elapsed time as it finishes (a heartbeat line every 30 s while one
runs; dbt's own output goes to <work>/bench.log):

1. data: reuse DIR (default data/sf<SF>) if it holds every <table>.parquet, else run the generator
   into it (timed).
2. ``dbt seed`` of the reference mappings, then a timed full ``dbt build`` (models, snapshot, every
   test) into the scratch database <work>/bench.duckdb, reading the files through CRM_SOURCE_PATH.
   From its run_results.json: model phase vs test phase, the ten slowest models, the budgets.
3. a timed ``dbt run --full-refresh``.
4. raw replay: the SQL that run executed (target/run), model by model in dependency order, in one
   DuckDB connection on a fresh database holding only what the models read (sources, seeds and
   the snapshot, copied untimed); snapshots are not replayed.
5. incremental: a plain ``dbt run`` with no data change (the floor), then one over a copy of the
   data with ~1% new orders and a few late status changes (``make_changed_copy``).

The machine is printed first: its processor, cores and memory, and a calibration timed before
step 2 and after step 5: a fixed DuckDB query (``CALIBRATION_QUERY``, what large scales spend
their time on) and a fixed piece of plain Python (``python_workload``, like dbt's own work per
node, which small scales spend theirs on). On a shared machine wall times move by tens of percent
from one hour to the next: two benchmarks compare by their figures and calibrations together.

CRM_SOURCE_PATH is <work>/source, a symbolic link to the data folder, switched to the changed copy
for the incremental run: as with a daily extract in a fixed place, dbt's partial parsing then does
not start over (an env var that changed makes dbt re-parse, seconds that are not the run's work).

Peak RSS is the child's own (os.wait4), each measured command being a fresh process. Model times
are checked against bench_budgets.yml (seconds per million order lines, with a floor): every model
over its budget is printed, and with --strict the exit code is 1. A failed step exits with 2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUDGETS_FILE = Path(__file__).with_name("bench_budgets.yml")
BIN = Path(sys.executable).parent
HEARTBEAT_SECONDS = 30.0
SLOWEST = 10
# A fixed amount of DuckDB work (hashing, a distinct count over a large hash table, a sort) on the
# profile's thread count: 1.01 to 1.17 s on this project's 2-core benchmark machine (the morning of
# 2026-11-28). Each calibration figure is the fastest of CALIBRATION_REPEATS runs.
CALIBRATION_QUERY = ("select count(distinct hash(i) % 1000003), max(hash(i) % 1000) "
                     "from (select i from range(5000000) as t(i) order by hash(i) % 7 desc, i)")
CALIBRATION_REPEATS = 3
# The CRM extract's tables (crm_warehouse/generator/simulate.py TABLES); kept here so that the
# benchmark does not import the generator, which it runs as a separate process.
SOURCE_TABLES = (
    "product_categories", "products", "channels", "stores", "sales_reps", "campaigns", "exchange_rates",
    "holidays", "customers", "web_accounts", "leads", "opportunities", "opportunity_stage_history",
    "orders", "order_items", "campaign_touches", "service_tickets",
)


class BenchFailed(SystemExit):
    """A step failed: one line on stderr, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


# --- figures -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measured:
    """One command run in its own process."""
    wall_s: float
    peak_rss_mb: float
    returncode: int


@dataclass(frozen=True)
class DbtRun(Measured):
    """A dbt command, with its run_results.json: dbt's own elapsed time (hooks and nodes, without
    the start-up and parsing before them) and each model's execution time."""
    elapsed_s: float
    model_seconds: dict[str, float]

    @property
    def startup_s(self) -> float:
        """Wall time outside dbt's own elapsed time: start-up, parsing, writing the artifacts."""
        return self.wall_s - self.elapsed_s


@dataclass(frozen=True)
class NodeTime:
    name: str
    resource_type: str
    seconds: float
    status: str


@dataclass(frozen=True)
class Phases:
    """Sums of execution_time by resource type (dbt runs threads in parallel: sums exceed the wall)."""
    model_s: float
    snapshot_s: float
    test_s: float  # data tests (and unit tests, where the build ran them)
    models: int
    tests: int
    test_share: float  # of the summed execution time
    failures: int  # nodes whose status is error, fail or skipped
    warnings: int  # tests with severity warn that found rows


@dataclass(frozen=True)
class OverBudget:
    model: str
    seconds: float
    budget_s: float

    def line(self) -> str:
        return f"OVER BUDGET {self.model}: {self.seconds:.1f} s > {self.budget_s:.1f} s"


@dataclass(frozen=True)
class Budgets:
    """Seconds per million order lines per model, never below floor_s or the model's own floor
    (floors: a model with a fixed cost, such as fits on capped samples)."""
    floor_s: float
    default_per_million: float
    per_million: Mapping[str, float]
    floors: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Budgets:
        raw = yaml.safe_load(path.read_text())
        models = raw.get("models") or {}
        # A model's entry: seconds per million lines, or {per_million_lines: ..., floor_seconds: ...}.
        per_million = {name: float(entry["per_million_lines"] if isinstance(entry, dict) else entry)
                       for name, entry in models.items()}
        floors = {name: float(entry["floor_seconds"]) for name, entry in models.items()
                  if isinstance(entry, dict) and "floor_seconds" in entry}
        return cls(float(raw["floor_seconds"]), float(raw["default_seconds_per_million_lines"]), per_million, floors)

    def limit(self, model: str, order_lines: int) -> float:
        return max(self.floors.get(model, self.floor_s),
                   self.per_million.get(model, self.default_per_million) * order_lines / 1e6)


@dataclass(frozen=True)
class Calibration:
    """Seconds for CALIBRATION_QUERY and for python_workload (module docstring)."""
    duckdb_s: float
    python_s: float

    def text(self) -> str:
        return f"DuckDB {self.duckdb_s:.2f} s, Python {self.python_s:.2f} s"


@dataclass(frozen=True)
class Machine:
    """Where the benchmark ran, and how fast that machine was before and after it."""
    processor: str
    cores: int
    memory_gb: float
    calibration_before: Calibration
    calibration_after: Calibration | None = None


@dataclass(frozen=True)
class DataChange:
    """What make_changed_copy added and changed."""
    last_order_on: str
    new_last_order_on: str
    new_orders: int
    new_order_lines: int
    changed_orders: int
    new_rate_days: int


@dataclass(frozen=True)
class Replay:
    wall_s: float
    peak_rss_mb: float
    models: int
    skipped: list[str]
    model_seconds: dict[str, float]
    row_counts_differ: list[str]  # models whose row count differs from dbt's build (expected: none)
    python_models: list[str] = field(default_factory=list)  # copied from dbt's build, not replayed


@dataclass
class Report:
    scale: float
    data_dir: str
    work_dir: str
    customers: int = 0
    order_lines: int = 0
    machine: Machine | None = None
    generate: Measured | None = None
    build: DbtRun | None = None
    phases: Phases | None = None
    slowest: list[NodeTime] = field(default_factory=list)
    run_full: DbtRun | None = None
    replay: Replay | None = None
    run_floor: DbtRun | None = None
    change: DataChange | None = None
    run_incremental: DbtRun | None = None
    incremental_models: list[str] = field(default_factory=list)
    database_mb: float = 0.0
    over_budget: list[OverBudget] = field(default_factory=list)

    @property
    def python_seconds(self) -> float:
        """The Python models' time in the full dbt run: the raw replay does not run them (their code
        is the same without dbt), so it is added to the replay's time for the ratio."""
        if not (self.run_full and self.replay):
            return 0.0
        return sum(self.run_full.model_seconds.get(name, 0.0) for name in self.replay.python_models)

    @property
    def replay_ratio(self) -> float | None:
        if self.run_full and self.replay and self.replay.wall_s:
            return self.run_full.wall_s / (self.replay.wall_s + self.python_seconds)
        return None

    @property
    def incremental_share(self) -> float | None:
        return self.run_incremental.wall_s / self.run_full.wall_s if self.run_incremental and self.run_full else None

    @property
    def incremental_share_dbt(self) -> float | None:
        """The same share in dbt's own elapsed time (without start-up and parsing)."""
        return (self.run_incremental.elapsed_s / self.run_full.elapsed_s
                if self.run_incremental and self.run_full and self.run_full.elapsed_s else None)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "replay_ratio": self.replay_ratio, "incremental_share": self.incremental_share,
                "incremental_share_dbt": self.incremental_share_dbt}


# --- pure parts --------------------------------------------------------------------------------

def topological_order(depends_on: Mapping[str, Collection[str]]) -> list[str]:
    """Every node after the nodes it depends on (dependencies outside the mapping are ignored);
    ties in name order, so the order is stable. Raises ValueError on a cycle."""
    waiting = {node: {d for d in deps if d in depends_on and d != node} for node, deps in depends_on.items()}
    order: list[str] = []
    ready = sorted(node for node, deps in waiting.items() if not deps)
    while ready:
        node = ready.pop(0)
        order.append(node)
        del waiting[node]
        freed = [other for other, deps in waiting.items() if node in deps and len(deps) == 1]
        for other in waiting:
            waiting[other].discard(node)
        ready = sorted(ready + freed)
    if waiting:
        raise ValueError(f"dependency cycle among: {', '.join(sorted(waiting))}")
    return order


def node_times(run_results: Mapping[str, Any]) -> list[NodeTime]:
    return [NodeTime(r["unique_id"].split(".")[-1], r["unique_id"].split(".")[0], float(r["execution_time"]),
                     str(r["status"]))
            for r in run_results["results"]]


def phases(times: Sequence[NodeTime]) -> Phases:
    def total(*kinds: str) -> float:
        return sum(t.seconds for t in times if t.resource_type in kinds)
    everything = total("model", "snapshot", "test", "unit_test")
    return Phases(
        model_s=total("model"), snapshot_s=total("snapshot"), test_s=total("test", "unit_test"),
        models=sum(t.resource_type == "model" for t in times),
        tests=sum(t.resource_type in ("test", "unit_test") for t in times),
        test_share=total("test", "unit_test") / everything if everything else 0.0,
        failures=sum(t.status not in ("success", "pass", "warn", "no-op") for t in times),
        warnings=sum(t.status == "warn" for t in times),
    )


def check_budgets(model_seconds: Mapping[str, float], budgets: Budgets, order_lines: int) -> list[OverBudget]:
    over = [OverBudget(model, spent, budgets.limit(model, order_lines))
            for model, spent in model_seconds.items() if spent > budgets.limit(model, order_lines)]
    return sorted(over, key=lambda o: o.seconds - o.budget_s, reverse=True)


class Line(NamedTuple):
    label: str
    value: str
    note: str = ""


def format_table(title: str, lines: Sequence[Line]) -> str:
    """Labels left-aligned, values right-aligned, notes after them."""
    label_width = max(len(line.label) for line in lines)
    value_width = max(len(line.value) for line in lines)
    rows = [f"  {line.label:<{label_width}}  {line.value:>{value_width}}  {line.note}".rstrip() for line in lines]
    rule = "-" * max(len(title), *(len(row) for row in rows))
    return "\n".join([title, rule, *rows, rule])


def seconds(s: float) -> str:
    return f"{s:.1f} s"


def megabytes(mb: float) -> str:
    return f"{mb / 1024:.2f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def dbt_note(run: DbtRun) -> str:
    return f"peak RSS {megabytes(run.peak_rss_mb)}; dbt start-up and parsing {seconds(run.startup_s)}"


def machine_lines(machine: Machine) -> list[Line]:
    lines = [Line("machine", f"{machine.cores} cores", f"{machine.processor}, {machine.memory_gb:.0f} GB memory"),
             Line("  calibration before", "", machine.calibration_before.text() + " (fixed work: lower is faster)")]
    if machine.calibration_after:
        lines.append(Line("  calibration after", "", machine.calibration_after.text()))
    return lines


def report_lines(report: Report) -> list[Line]:
    """The rows of the printed table; steps that did not run are left out."""
    generate = report.generate
    lines = [*(machine_lines(report.machine) if report.machine else []),
             Line("customers", f"{report.customers:,}"), Line("order lines", f"{report.order_lines:,}"),
             Line("generate", seconds(generate.wall_s) if generate else "reused",
                  f"peak RSS {megabytes(generate.peak_rss_mb)}" if generate else report.data_dir)]
    if report.build and report.phases:
        b, p = report.build, report.phases
        lines += [
            Line("dbt build (full)", seconds(b.wall_s), dbt_note(b)
                 + (f"; {p.failures} nodes failed" if p.failures else "")
                 + (f"; {p.warnings} tests warned" if p.warnings else "")),
            Line("  model phase", seconds(p.model_s),
                 f"sum over {p.models} models (+ snapshot {seconds(p.snapshot_s)})"),
            Line("  test phase", seconds(p.test_s), f"sum over {p.tests} tests"),
            Line("  test share", f"{p.test_share:.0%}",
                 f"of the summed node time: ~{seconds(p.test_share * b.wall_s)} of the wall"),
        ]
    if report.run_full:
        lines.append(Line("dbt run --full-refresh", seconds(report.run_full.wall_s), dbt_note(report.run_full)))
    if report.replay:
        r = report.replay
        lines += [Line("raw replay", seconds(r.wall_s),
                       f"peak RSS {megabytes(r.peak_rss_mb)}; {r.models} models, one connection"),
                  Line("  not replayed", f"{len(r.skipped)} snapshot{'' if len(r.skipped) == 1 else 's'}",
                       ", ".join(r.skipped)),
                  *([Line("  Python models", f"+{seconds(report.python_seconds)}",
                          f"{len(r.python_models)} models at their dbt time (the same code; copied, not replayed)")]
                    if r.python_models else []),
                  Line("  row counts", "differ" if r.row_counts_differ else "same",
                       ", ".join(r.row_counts_differ[:5]) or "as dbt's, in every table built")]
    if report.replay_ratio:
        lines.append(Line("dbt run / raw replay", f"{report.replay_ratio:.2f} x",
                          f"dbt runs {os.environ.get('CRM_DBT_THREADS', '2')} models at a time, the replay one"))
    if report.run_floor:
        lines.append(Line("dbt run, no change", seconds(report.run_floor.wall_s), "the floor of an incremental run"))
    if report.run_incremental and report.change and report.incremental_share is not None:
        c, run = report.change, report.run_incremental
        lines += [Line("dbt run, incremental", seconds(run.wall_s), f"{report.incremental_share:.0%} of the full run "
                       f"({report.incremental_share_dbt or 0:.0%} in dbt's own time)"),
                  Line("  data change", f"+{c.new_orders:,} orders", f"{c.new_order_lines:,} lines, dated up to "
                       f"{c.new_last_order_on}; {c.changed_orders:,} late status changes")]
        for model in report.incremental_models:
            full = report.run_full.model_seconds.get(model, 0.0) if report.run_full else 0.0
            lines.append(Line(f"  {model}", seconds(run.model_seconds.get(model, 0.0)),
                              f"full refresh: {seconds(full)}"))
    lines.append(Line("database file", megabytes(report.database_mb), "after the full build"))
    if report.slowest:
        lines.append(Line(f"slowest {len(report.slowest)} models", "", "(dbt build)"))
        lines += [Line(f"  {t.name}", seconds(t.seconds)) for t in report.slowest]
    return lines


# --- incremental data --------------------------------------------------------------------------

def make_changed_copy(source: Path, target: Path, new_share: float = 0.01, late_share: float = 0.001,
                      late_days: int = 30, spread_days: int = 7, temp_directory: Path | None = None) -> DataChange:
    """target = the extract in source plus new_share new orders (copies of existing orders, with
    their lines, dated in the spread_days after the last order date, new ids above the max) and
    late changes: late_share of all orders, picked among the completed orders of the last
    late_days days, turned 'returned' with a newer updated_at. Exchange rates are extended over
    the new days (the last day's rates). Unchanged tables are symbolic links to source.
    DuckDB spills to temp_directory (default: the system's temporary folder)."""
    target.mkdir(parents=True, exist_ok=True)
    for table in SOURCE_TABLES:
        (target / f"{table}.parquet").unlink(missing_ok=True)
    src = {t: str((source / f"{t}.parquet").resolve()) for t in ("orders", "order_items", "exchange_rates")}
    spill = temp_directory or Path(tempfile.gettempdir()) / "crm_bench"
    con = duckdb.connect(config={**duckdb_settings(), "temp_directory": str(spill)})
    try:
        for table, path in src.items():
            con.execute(f"create view src_{table} as select * from read_parquet('{path}')")
        last_on, max_order, max_item, orders, max_rate_on = con.execute("""
            select
                (select max(try_cast(left(ordered_at, 10) as date)) from src_orders),
                (select max(order_id) from src_orders),
                (select max(order_item_id) from src_order_items),
                (select count(distinct order_id) from src_orders),
                (select max(try_cast(rate_date as date)) from src_exchange_rates)
        """).fetchone() or ()
        stamp = "'%Y-%m-%d %H:%M:%S'"
        # A stable pseudo-random order of the ids (Knuth's multiplicative hash).
        shuffle = "(order_id * 2654435761) % 4294967296"
        con.execute(f"""
            create temp table picked as
            with sample as (
                select order_id from (select distinct order_id from src_orders where order_id is not null)
                order by {shuffle} limit {max(1, round(new_share * orders))}
            )
            select
                order_id as source_order_id,
                {max_order} + row_number() over (order by order_id) as order_id,
                date '{last_on}' + cast(1 + row_number() over (order by order_id) % {spread_days} as integer) as new_on
            from sample
        """)
        con.execute(f"""
            create temp table new_orders as
            select
                o.* replace (
                    p.order_id as order_id,
                    strftime(p.new_on + coalesce(try_cast(substr(o.ordered_at, 12, 8) as time), time '12:00:00'),
                             {stamp}) as ordered_at,
                    strftime(p.new_on + coalesce(try_cast(substr(o.ordered_at, 12, 8) as time), time '12:00:00')
                             + interval 1 hour, {stamp}) as updated_at
                )
            from src_orders as o inner join picked as p on o.order_id = p.source_order_id
        """)
        con.execute(f"""
            create temp table late as
            select distinct order_id from src_orders
            where order_status = 'completed' and try_cast(left(ordered_at, 10) as date) > date '{last_on}' - {late_days}
            order by {shuffle} limit {max(1, round(late_share * orders))}
        """)
        late_stamp = f"strftime(date '{last_on}' + {spread_days} + time '18:00:00', {stamp})"
        con.execute(f"""
            copy (
                select o.* replace (
                    case when late.order_id is null then o.order_status else 'returned' end as order_status,
                    case when late.order_id is null then o.updated_at else {late_stamp} end as updated_at
                )
                from src_orders as o left join late on o.order_id = late.order_id
                union all
                select * from new_orders
            ) to '{target / "orders.parquet"}' (format parquet)
        """)
        con.execute(f"""
            copy (
                select * from src_order_items
                union all
                select i.* replace (
                    {max_item} + dense_rank() over (order by i.order_item_id) as order_item_id,
                    n.order_id as order_id,
                    n.updated_at as updated_at
                )
                from src_order_items as i
                inner join picked as p on i.order_id = p.source_order_id
                inner join (select distinct order_id, updated_at from new_orders) as n on n.order_id = p.order_id
            ) to '{target / "order_items.parquet"}' (format parquet)
        """)
        new_last_on = con.execute("select max(new_on) from picked").fetchone()[0]  # type: ignore[index]
        con.execute(f"""
            copy (
                select * from src_exchange_rates
                union all
                select r.* replace (strftime(d.day, '%Y-%m-%d') as rate_date)
                from src_exchange_rates as r
                cross join (select unnest(generate_series(date '{max_rate_on}' + 1, date '{new_last_on}',
                                                          interval 1 day))::date as day) as d
                where try_cast(r.rate_date as date) = date '{max_rate_on}'
            ) to '{target / "exchange_rates.parquet"}' (format parquet)
        """)
        new_orders, new_lines, changed = con.execute("""
            select (select count(distinct order_id) from new_orders),
                   (select count(*) from src_order_items as i inner join picked as p on i.order_id = p.source_order_id),
                   (select count(*) from late)
        """).fetchone() or ()
    finally:
        con.close()
    for table in SOURCE_TABLES:
        link = target / f"{table}.parquet"
        if not link.exists():
            link.symlink_to((source / f"{table}.parquet").resolve())
    return DataChange(str(last_on), str(new_last_on), new_orders, new_lines, changed,
                      max(0, (new_last_on - max_rate_on).days))


# --- processes ---------------------------------------------------------------------------------

def python_workload() -> int:
    """Plain Python of the kind dbt spends its per-node time on: building and joining strings,
    dicts and lists (0.28 to 0.37 s on the same machine and morning as CALIBRATION_QUERY)."""
    total = 0
    for _ in range(4):
        rows = [{"name": f"model_{i}", "columns": [f"column_{j}" for j in range(10)]} for i in range(20000)]
        text = "\n".join(f"select {', '.join(row['columns'])} from {row['name']}" for row in rows)
        total += sum(len(line.split(",")) for line in text.splitlines())
    return total


def fastest(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return round(min(times), 3)


def calibrate(repeats: int = CALIBRATION_REPEATS) -> Calibration:
    """CALIBRATION_QUERY (in memory, on the profile's thread count) and python_workload, each the
    fastest of repeats runs."""
    con = duckdb.connect(config={"threads": duckdb_settings()["threads"]})
    try:
        con.execute("set enable_progress_bar = false")
        duckdb_s = fastest(lambda: con.execute(CALIBRATION_QUERY).fetchall(), repeats)
    finally:
        con.close()
    return Calibration(duckdb_s, fastest(python_workload, repeats))


def processor_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def duckdb_settings() -> dict[str, Any]:
    """The profile's config_options, from the same environment variables (profiles.yml)."""
    return {"memory_limit": os.environ.get("CRM_DUCKDB_MEMORY_LIMIT", "4GB"),
            "threads": int(os.environ.get("CRM_DUCKDB_THREADS", "2")),
            "temp_directory": os.environ.get("CRM_DUCKDB_TEMP_DIR", str(ROOT / "warehouse" / "tmp")),
            "preserve_insertion_order": False}


def last_line(log: Path) -> str:
    """The last non-empty line of the log, without colour codes, shortened."""
    try:
        with log.open("rb") as handle:
            handle.seek(max(0, log.stat().st_size - 4096))
            lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
                     for line in handle.read().decode(errors="replace").splitlines()]
    except OSError:
        return ""
    text = next((line for line in reversed(lines) if line), "")
    return text if len(text) <= 110 else text[:107] + "..."


@contextmanager
def step(name: str, log: Path | None = None) -> Iterator[None]:
    """Prints "bench: <name> ... 12.3 s" when the step ends, and a line every HEARTBEAT_SECONDS
    while it runs (with the last line of its log)."""
    start = time.perf_counter()
    done = threading.Event()

    def beat() -> None:
        while not done.wait(HEARTBEAT_SECONDS):
            tail = last_line(log) if log else ""
            print(f"bench:   {name}: {time.perf_counter() - start:.0f} s{' | ' + tail if tail else ''}", flush=True)

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        print(f"bench: {name} ... {time.perf_counter() - start:.1f} s", flush=True)


def run_measured(command: Sequence[str], env: Mapping[str, str], log: Path) -> Measured:
    """Runs command with its output appended to log; wall time and the child's peak RSS."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(round(wall, 3), round(usage.ru_maxrss / 1024, 1), process.returncode)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.work.resolve()
        self.data: Path = args.data.resolve()
        self.log = self.work / "bench.log"
        self.target = self.work / "target"
        self.database = self.work / "bench.duckdb"
        self.source = self.work / "source"
        self.report = Report(scale=args.scale, data_dir=str(self.data), work_dir=str(self.work))

    def use_source(self, folder: Path) -> None:
        """Points the link self.source (CRM_SOURCE_PATH) at folder."""
        self.source.unlink(missing_ok=True)
        self.source.symlink_to(folder, target_is_directory=True)

    def env(self) -> dict[str, str]:
        return {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "CRM_SOURCE_PATH": str(self.source),
                "CRM_DUCKDB_PATH": str(self.database), "CRM_DUCKDB_TEMP_DIR": str(self.work / "tmp"),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_USE_COLORS": "False"}

    def dbt(self, name: str, *arguments: str) -> tuple[DbtRun, list[NodeTime]]:
        """Runs one dbt command; fails the bench unless every model and snapshot succeeded
        (failing tests are reported, not fatal)."""
        command = [str(BIN / "dbt"), *arguments, "--target-path", str(self.target),
                   "--log-path", str(self.work / "logs")]
        results = self.target / "run_results.json"
        results.unlink(missing_ok=True)
        with step(name, self.log):
            measured = run_measured(command, self.env(), self.log)
        if not results.exists():
            raise BenchFailed(f"bench: {name} failed (exit {measured.returncode}) before running a node; "
                              f"see {self.log}")
        run_results = json.loads(results.read_text())
        times = node_times(run_results)
        # Saved queries and exposures are "no-op" nodes: nothing to run, nothing failed.
        failed = [t.name for t in times
                  if t.resource_type not in ("test", "unit_test") and t.status not in ("success", "no-op")]
        if failed:
            raise BenchFailed(f"bench: {name}: {len(failed)} nodes failed or were skipped "
                              f"({', '.join(failed[:5])}); see {self.log}")
        if measured.returncode:
            print(f"bench: {name}: exit {measured.returncode}, tests failed (timings kept); see {self.log}")
        model_seconds = {t.name: round(t.seconds, 3) for t in sorted(times, key=lambda t: -t.seconds)
                         if t.resource_type == "model"}
        return DbtRun(measured.wall_s, measured.peak_rss_mb, measured.returncode,
                      round(float(run_results["elapsed_time"]), 3), model_seconds), times

    def prepare(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        for name in ("bench.duckdb", "bench.duckdb.wal", "tmp", "target", "logs", "replay", "data_changed",
                     "source", "bench.log"):
            path = self.work / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        (self.work / "tmp").mkdir()
        print(f"bench: scale {self.args.scale:g}, data {self.data}, work {self.work}")
        print(f"bench: dbt output goes to {self.log}", flush=True)

    def get_data(self) -> None:
        if not has_data(self.data) or is_stale(self.data, self.args.scale):
            self.report.generate = generate_data(self.args.scale, self.data, self.log)
        elif not (self.data / STAMP).is_file():
            print(f"bench: {self.data} has no {STAMP} (not generated by this bench): used as it is")
        self.use_source(self.data)
        con = duckdb.connect()
        self.report.customers, self.report.order_lines = con.execute(
            f"select (select count(*) from '{self.data}/customers.parquet'),"
            f" (select count(*) from '{self.data}/order_items.parquet')").fetchone() or (0, 0)
        con.close()

    def build(self) -> None:
        self.dbt("dbt seed (reference mappings)", "seed", "--select", "path:seeds/mappings", "--full-refresh")
        # As `make build` runs it: data tests, not the unit tests (make test runs those; their cost
        # does not depend on the data).
        self.report.build, times = self.dbt("dbt build", "build", "--exclude-resource-type", "seed",
                                            "--exclude-resource-type", "unit_test")
        self.report.phases = phases(times)
        models = sorted((t for t in times if t.resource_type == "model"), key=lambda t: -t.seconds)
        self.report.slowest = models[:SLOWEST]
        self.report.database_mb = round(sum(p.stat().st_size for p in self.work.glob("bench.duckdb*")) / 2**20, 1)
        budgets = Budgets.load(self.args.budgets)
        self.report.over_budget = check_budgets(self.report.build.model_seconds, budgets, self.report.order_lines)
        manifest = json.loads((self.target / "manifest.json").read_text())
        self.report.incremental_models = sorted(
            node["name"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental")

    def replay(self) -> None:
        out = self.work / "replay.json"
        command = [sys.executable, "-m", "crm_warehouse.bench", "_replay", str(self.target), str(self.database),
                   str(self.work / "replay" / self.database.name), str(out)]
        with step("raw replay", self.log):
            measured = run_measured(command, self.env(), self.log)
        if measured.returncode:
            raise BenchFailed(f"bench: raw replay failed (exit {measured.returncode}); see {self.log}")
        result = json.loads(out.read_text())
        self.report.replay = Replay(result["wall_s"], measured.peak_rss_mb, len(result["model_seconds"]),
                                    result["skipped"], result["model_seconds"], result["row_counts_differ"],
                                    result.get("python_models", []))
        shutil.rmtree(self.work / "replay")  # a second copy of the warehouse: disk space at large scales

    def incremental(self) -> None:
        self.report.run_floor, _ = self.dbt("dbt run, no change", "run")
        changed = self.work / "data_changed"
        with step("new orders and late changes (+1%)"):
            self.report.change = make_changed_copy(self.data, changed, temp_directory=self.work / "tmp")
        self.use_source(changed)
        self.report.run_incremental, _ = self.dbt("dbt run, incremental", "run")

    def run(self) -> int:
        self.prepare()
        self.get_data()
        with step("calibration"):
            before = calibrate()
        self.report.machine = Machine(processor_name(), os.cpu_count() or 0, round(memory_gb(), 1), before)
        self.build()
        self.report.run_full, _ = self.dbt("dbt run --full-refresh", "run", "--full-refresh")
        self.replay()
        self.incremental()
        with step("calibration"):
            self.report.machine = replace(self.report.machine, calibration_after=calibrate())
        print()
        print(format_table(f"CRM warehouse benchmark, scale {self.args.scale:g}", report_lines(self.report)))
        for over in self.report.over_budget:
            print(over.line())
        json_path: Path = self.args.json or self.work / "bench.json"
        json_path.write_text(json.dumps(self.report.to_json(), indent=2) + "\n")
        print(f"bench: figures in {json_path}")
        return 1 if self.args.strict and self.report.over_budget else 0


def has_data(folder: Path) -> bool:
    return all((folder / f"{table}.parquet").is_file() for table in SOURCE_TABLES)


STAMP = "generator.stamp"


def generator_stamp(scale: float) -> str:
    """The generator's code and the scale: data generated by other code or at another scale differs."""
    digest = hashlib.sha256(f"scale {scale:g}\n".encode())
    for path in sorted((ROOT / "crm_warehouse" / "generator").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_stale(folder: Path, scale: float) -> bool:
    """True when folder was generated by the bench with other generator code (its stamp differs);
    a folder without a stamp (your own extract, or older data) is used as it is."""
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text().strip() != generator_stamp(scale)


def generate_data(scale: float, folder: Path, log: Path) -> Measured:
    """Runs the generator into a temporary folder renamed to folder when complete (so a folder
    with every table is a complete one). Refuses to touch a folder that holds something else."""
    if is_stale(folder, scale):
        print(f"bench: {folder} was generated by another version of the generator: generating it again")
        shutil.rmtree(folder)
    if folder.exists() and any(folder.iterdir()):
        missing = [t for t in SOURCE_TABLES if not (folder / f"{t}.parquet").is_file()]
        raise BenchFailed(f"bench: {folder} lacks {len(missing)} of the {len(SOURCE_TABLES)} tables "
                          f"({', '.join(t + '.parquet' for t in missing[:3])}...): complete it, "
                          "or remove it to generate")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "crm_warehouse.generator", "--scale", f"{scale:g}", "--format", "parquet",
               "--out", str(partial)]
    with step(f"generate scale {scale:g}", log):
        measured = run_measured(command, os.environ, log)
    if measured.returncode:
        raise BenchFailed(f"bench: the generator failed (exit {measured.returncode}); see {log}")
    (partial / STAMP).write_text(generator_stamp(scale) + "\n")
    if folder.exists():
        folder.rmdir()
    partial.rename(folder)
    return measured


# --- raw replay (a separate process, so that its peak RSS is its own) ----------------------------

def replay_main(target: Path, source_db: Path, replay_db: Path, out: Path) -> None:
    """Replays target/run/**.sql of every model in dependency order on a fresh database that
    holds what the models read (every non-model table and view of source_db, copied untimed).
    The file name of replay_db must be source_db's: the SQL names the database."""
    manifest = json.loads((target / "manifest.json").read_text())
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    skipped = sorted(node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "snapshot")
    model_relations = {(node["schema"], node["alias"]) for node in models.values()}
    shutil.rmtree(replay_db.parent, ignore_errors=True)
    replay_db.parent.mkdir(parents=True)
    con = duckdb.connect(str(replay_db), config=duckdb_settings())
    # As the profile sets up dbt's connection: the key salt, and the restricted database (a fresh one).
    salt = os.environ.get("DBT_ENV_SECRET_CRM_KEY_SALT", "").replace("'", "''")
    con.execute(f"set variable crm_key_salt = '{salt}'")
    con.execute(f"attach '{replay_db.with_name(replay_db.stem + '_restricted.duckdb')}' as restricted")
    main_database = replay_db.stem
    con.execute(f"attach '{source_db}' as bench_source (read_only)")
    tables = con.execute("select schema_name, table_name from duckdb_tables() where database_name = 'bench_source'"
                         " and schema_name <> 'test_failures'").fetchall()
    views = con.execute("select schema_name, view_name, sql from duckdb_views() "
                        "where database_name = 'bench_source' and not internal").fetchall()
    for schema in {row[0] for row in tables} | {row[0] for row in views}:
        con.execute(f'create schema if not exists "{schema}"')
    for database, schema in {(n["database"], n["schema"]) for n in models.values()}:
        con.execute(f'create schema if not exists "{database}"."{schema}"')
    for schema, table in tables:
        if (schema, table) not in model_relations:
            con.execute(f'create table "{schema}"."{table}" as select * from bench_source."{schema}"."{table}"')
    for schema, view, sql in views:
        if (schema, view) not in model_relations:
            con.execute(sql)
    # Python models are not SQL to replay: their tables are copied from dbt's build, untimed.
    python_models = sorted(node["name"] for node in models.values() if node.get("language") == "python")
    for node in models.values():
        if node.get("language") == "python":
            con.execute(f'create table "{node["schema"]}"."{node["alias"]}" as '
                        f'select * from bench_source."{node["schema"]}"."{node["alias"]}"')
    con.execute("detach bench_source")
    order = topological_order({uid: node["depends_on"]["nodes"] for uid, node in models.items()})
    model_seconds: dict[str, float] = {}
    start = time.perf_counter()
    for uid in order:
        node = models[uid]
        run_file = target / "run" / node["package_name"] / node["original_file_path"]
        if not run_file.exists() or node.get("language") == "python":  # ephemeral: compiled into its readers
            continue
        # dbt builds into <name>__dbt_tmp and renames; on a fresh database the final name will do.
        sql = re.sub(r'__dbt_tmp(?=")', "", run_file.read_text())
        began = time.perf_counter()
        con.execute(sql)
        model_seconds[node["name"]] = round(time.perf_counter() - began, 3)
        print(f"replay: {len(model_seconds)} of {len(order)} {node['name']} {model_seconds[node['name']]:.2f} s",
              flush=True)
    wall = time.perf_counter() - start
    # The same work as dbt's? The row count of every table built against the database dbt built
    # (views are left out: theirs name the database, so both would read the replay's tables).
    con.execute(f"attach '{source_db}' as bench_source (read_only)")
    differ = [node["name"] for node in models.values()
              if node["name"] in model_seconds and node["config"].get("materialized") in ("table", "incremental")
              and node["database"] == main_database  # not the restricted contacts (another file)
              and row_count(con, f'"{node["schema"]}"."{node["alias"]}"')
              != row_count(con, f'bench_source."{node["schema"]}"."{node["alias"]}"')]
    con.close()
    out.write_text(json.dumps({"wall_s": round(wall, 3), "skipped": skipped, "python_models": python_models,
                               "model_seconds": model_seconds,
                               "row_counts_differ": sorted(differ)}))


def row_count(con: duckdb.DuckDBPyConnection, relation: str) -> int | None:
    """Rows in relation, None if there is no such relation."""
    try:
        return int(con.execute(f"select count(*) from {relation}").fetchone()[0])  # type: ignore[index]
    except duckdb.CatalogException:
        return None


# --- command line ------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, required=True, help="1 = about 2,000 customers")
    parser.add_argument("--data", type=Path, help="Parquet extract (default: data/sf<SF>; generated if missing)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: warehouse/bench/sf<SF>)")
    parser.add_argument("--json", type=Path, help="figures as JSON (default: <work>/bench.json)")
    parser.add_argument("--budgets", type=Path, default=BUDGETS_FILE, help="model time budgets (YAML)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a model is over its budget")
    parser.add_argument("--generate-only", action="store_true", help="only make sure the data exists")
    args = parser.parse_args(argv)
    args.data = args.data or ROOT / "data" / f"sf{args.scale:g}"
    args.work = args.work or ROOT / "warehouse" / "bench" / f"sf{args.scale:g}"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress lines through a pipe too
    if argv[:1] == ["_replay"]:
        replay_main(*(Path(a) for a in argv[1:5]))
        return 0
    args = parse_args(argv)
    try:
        if args.generate_only:
            if not has_data(args.data) or is_stale(args.data, args.scale):
                log = args.data.with_name(args.data.name + ".log")
                print(f"bench: generator output goes to {log}", flush=True)
                args.data.parent.mkdir(parents=True, exist_ok=True)
                generate_data(args.scale, args.data, log)
            return 0
        return Bench(args).run()
    except BenchFailed as failed:
        print(failed.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
