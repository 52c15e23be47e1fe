"""Writes every CRM source table, as CSV seeds or as Parquet at any scale.

    python -m crm_warehouse.generator                       # the committed seeds (seeds/crm/)
    python -m crm_warehouse.generator --scale 50 --format parquet --out data/sf50
    python -m crm_warehouse.generator --out data/x --truth-dir data/x_truth   # and the ground truth

Scale 1 is the default size (about 2,000 customers). Customers are simulated in chunks, each
with its own random stream, by --jobs worker processes (default: one per CPU; 1: in this
process). Rows are written strictly in chunk order and ids are numbered on as if the chunks ran
one after the other, so the bytes are the same for any --jobs. Memory is bounded by --chunk-size
and --jobs whatever the scale. Progress and a summary go to stderr; the row and planted-fault
counts, as JSON, to stdout.

--truth-dir also writes the ground truth of the simulated behaviour (truth_<table> files, see
truth.py) to a folder of its own: never in the output folder, never under seeds/, so no build
reads it as a source. ``simulate_truth`` gives it without writing anything.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import reference as ref
from . import simulate
from .chunk import ChunkSimulator
from .records import Counters
from .simulate import REFERENCE_TABLES, TABLES, TRUTH_TABLES, Reference, build_reference
from .sinks import Encoded, encode, encode_columns, open_sink

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
DEFAULT_CHUNK_SIZE = 5000
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "crm"
TRUTH_PARAMETERS_FILE = "truth_parameters.json"
# The business rules the truth follows (simulate.py), recorded beside it.
TRUTH_PARAMETERS = (
    "ORDERS_PER_YEAR", "ORDERS_VALUE_ELASTICITY", "INTERNAL_ORDERS_PER_YEAR", "COMPLETED_ORDER_SHARE",
    "RETURNED_ORDER_SHARE", "CHURN_MEAN_DAYS", "VALUE_CHURN_SLOWDOWN", "VALUE_CHURN_CAP",
    "TICKET_PER_ORDER_PROBABILITY", "COMPLAINT_HAZARD_MULTIPLIER", "POOR_SERVICE_SATISFACTION",
    "POOR_SERVICE_HAZARD_MULTIPLIER", "MAX_SERVICE_HAZARD_MULTIPLIER", "REACTIVATION_PROBABILITY",
    "REACTIVATION_GAP_DAYS", "TOUCH_DAYS", "RESPONSE_HOURS", "RESPONSE_ORDER_DAYS", "HIGH_VALUE_RESPONSE_THRESHOLD",
    "HIGH_VALUE_RESPONSE_MULTIPLIER", "EARLIER_RESPONSE_LIFT", "EARLIER_RESPONSES_CAP", "LAPSED_RESPONSE_MULTIPLIER",
    "MAX_RESPONSE_PROBABILITY",
)
CHUNKS_IN_FLIGHT_PER_JOB = 2  # chunks simulated or waiting to be written, per worker: bounds memory


class IdChain:
    """Hands each chunk the last ids used before it, once the chunk before it has taken its turn.

    Chunks are simulated concurrently with ids counted from zero; only then does a chunk wait for
    its predecessor, so its ids follow on exactly as in a run of one chunk after the other.
    """

    def __init__(self, context: Any = None) -> None:
        """context: the multiprocessing context of the worker processes to share with (None: none)."""
        state = [0, *astuple(Counters())]  # the chunk whose turn it is, then the last ids before it
        self._state = context.RawArray("q", state) if context else state
        self._turn = context.Condition() if context else threading.Condition()

    def take_turn(self, chunk: int, used: Counters) -> Counters:
        """Waits for chunk's turn; returns the last ids before it and records the ids it used."""
        with self._turn:
            self._turn.wait_for(lambda: self._state[0] == chunk)
            before = Counters(*self._state[1:])
            self._state[1:] = astuple(before.after(used))
            self._state[0] = chunk + 1
            self._turn.notify_all()
        return before


@dataclass(frozen=True)
class ChunkOutput:
    """One chunk, numbered and encoded for the sink, with its row and planted-fault counts."""

    tables: dict[str, Encoded]
    row_counts: dict[str, int]
    faults: dict[str, int]
    truth: dict[str, Encoded]  # TRUTH_TABLES, when asked for (else empty)


class ChunkRunner:
    """Simulates chunk k (customers k * chunk_size onwards), numbers its ids and encodes its rows.

    sources: encode the source tables; truth: encode the truth tables (in fmt as well).
    """

    def __init__(self, reference: Reference, seed: int, fmt: str, chunk_size: int, total: int, sources: bool,
                 truth: bool, ids: IdChain) -> None:
        self.reference, self.seed, self.fmt, self.chunk_size, self.total, self.ids = (
            reference, seed, fmt, chunk_size, total, ids)
        self.sources, self.truth = sources, truth

    def __call__(self, chunk: int) -> ChunkOutput:
        with _gc_paused():
            # The chunk's records are freed as _run returns, before the collector is back on:
            # its first collection would scan every one of them otherwise.
            return self._run(chunk)

    def _run(self, chunk: int) -> ChunkOutput:
        first = chunk * self.chunk_size
        size = min(self.chunk_size, self.total - first)
        simulated = ChunkSimulator(self.reference, self.seed, chunk, 10001 + first, size).run()
        before = self.ids.take_turn(chunk, simulated.used)
        # Records are read into columns only for the tables encoded here.
        return ChunkOutput(
            tables={table: encode_columns(self.fmt, TABLES[table], values)
                    for table, values in simulated.numbered(before).items()} if self.sources else {},
            row_counts=simulated.sources.counts(),
            faults=simulated.faults,
            truth={table: encode_columns(self.fmt, TRUTH_TABLES[table], values)
                   for table, values in simulated.numbered_truth(before).items()} if self.truth else {},
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a chunk builds its rows: the collector would scan them over
    and over for nothing (rows hold no reference cycles; reference counting frees them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_worker_runner: ChunkRunner | None = None  # set in each worker process by _start_worker


def _start_worker(*args: Any) -> None:
    global _worker_runner
    _worker_runner = ChunkRunner(*args)


def _run_in_worker(chunk: int) -> ChunkOutput:
    assert _worker_runner is not None
    return _worker_runner(chunk)


RunnerArgs = tuple[Reference, int, str, int, int, bool, bool]  # ChunkRunner's arguments but the IdChain


def _outputs(runner_args: RunnerArgs, n_chunks: int, workers: int) -> Iterator[ChunkOutput]:
    """Every chunk's output, in chunk order; at most workers * CHUNKS_IN_FLIGHT_PER_JOB chunks at a time."""
    if workers == 1:
        runner = ChunkRunner(*runner_args, IdChain())
        yield from (runner(chunk) for chunk in range(n_chunks))
        return
    context = multiprocessing.get_context()
    ids = IdChain(context)
    with context.Pool(workers, initializer=_start_worker, initargs=(*runner_args, ids)) as pool:
        pending: deque[AsyncResult[ChunkOutput]] = deque()
        for chunk in range(n_chunks):
            # Chunks are queued in order, so a worker waiting for its turn waits on a chunk already running.
            pending.append(pool.apply_async(_run_in_worker, (chunk,)))
            if len(pending) >= workers * CHUNKS_IN_FLIGHT_PER_JOB:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class Progress:
    """Customers done so far, on stderr: a tqdm bar on a terminal, else a line every 10% (for logs).

    Either shows only once the run has taken ``delay`` seconds: short runs print the summary only.
    """

    def __init__(self, total: int, enabled: bool, stream: Any = None, delay: float = 2.0) -> None:
        self.total, self.done, self.started, self.delay = total, 0, time.perf_counter(), delay
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._next_tenth = 1
        self._bar: Any = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=" customers", unit_scale=True, desc="generator", file=self.stream,
                             delay=delay, dynamic_ncols=True)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def advance(self, customers: int) -> None:
        self.done += customers
        if self._bar is not None:
            self._bar.update(customers)
        elif self.enabled and self.total and self.done * 10 >= self._next_tenth * self.total:
            self._next_tenth = self.done * 10 // self.total + 1
            if self.seconds < self.delay:
                return
            print(f"generator: {self.done:,}/{self.total:,} customers ({self.done / self.total:.0%}), "
                  f"{self.seconds:.1f} s", file=self.stream, flush=True)

    def close(self, summary: str) -> None:
        if self._bar is not None:
            self._bar.close()
        if self.enabled:
            print(summary, file=self.stream, flush=True)


def _check_truth_dir(truth_dir: Path, out_dir: Path) -> None:
    """The truth is never a source: not in or under the output folder, not under seeds/ (dbt would load it)."""
    truth, out, seeds = truth_dir.resolve(), out_dir.resolve(), SEEDS_DIR.parent.resolve()
    if truth.is_relative_to(out) or truth.is_relative_to(seeds):
        raise ValueError(f"--truth-dir {truth_dir}: the ground truth goes beside the data, never into the output "
                         f"folder or under {seeds} (it must never be read as a source)")


def truth_parameters(seed: int, scale: float, chunk_size: int) -> dict[str, object]:
    """The run and the business rules the truth follows (written beside it as truth_parameters.json)."""
    rules = {name.lower(): getattr(simulate, name) for name in TRUTH_PARAMETERS}
    return {"seed": seed, "scale": scale, "chunk_size": chunk_size, "history_start": ref.HISTORY_START.isoformat(),
            "history_end": ref.HISTORY_END.isoformat(), **rules}


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, fmt: str = "csv",
             chunk_size: int = DEFAULT_CHUNK_SIZE, jobs: int | None = 1,
             progress: bool = False, truth_dir: Path | None = None) -> dict[str, dict[str, int]]:
    """Generate all source tables into out_dir; returns row counts and planted-fault counts.

    jobs: worker processes (None: one per CPU; 1: in this process). progress: report on stderr.
    truth_dir: also write the ground truth there (truth_<table> files in fmt and truth_parameters.json).
    """
    if truth_dir is not None:
        _check_truth_dir(truth_dir, out_dir)
    sink = open_sink(fmt, out_dir)
    truth_sink = open_sink(fmt, truth_dir) if truth_dir is not None else None
    reference = build_reference(seed, scale)
    total = int(round(DEFAULT_CUSTOMERS * scale))
    n_chunks = -(-total // chunk_size)
    workers = max(1, min(jobs or os.cpu_count() or 1, n_chunks))
    report = Progress(total, progress)
    row_counts: dict[str, int] = {}
    faults: dict[str, int] = {}
    try:
        for table in REFERENCE_TABLES:
            sink.write(table, TABLES[table], encode(fmt, TABLES[table], reference.rows[table]))
            row_counts[table] = len(reference.rows[table])
        runner_args: RunnerArgs = (reference, seed, fmt, chunk_size, total, True, truth_sink is not None)
        for chunk, output in enumerate(_outputs(runner_args, n_chunks, workers)):
            for table, data in output.tables.items():
                sink.write(table, TABLES[table], data)
                row_counts[table] = row_counts.get(table, 0) + output.row_counts[table]
            for fault, count in output.faults.items():
                faults[fault] = faults.get(fault, 0) + count
            if truth_sink is not None:
                for table, data in output.truth.items():
                    truth_sink.write(table, TRUTH_TABLES[table], data)
            report.advance(min(chunk_size, total - chunk * chunk_size))
    finally:
        sink.close()
        if truth_sink is not None:
            truth_sink.close()
    if truth_dir is not None:
        parameters = truth_parameters(seed, scale, chunk_size)
        (truth_dir / TRUTH_PARAMETERS_FILE).write_text(json.dumps(parameters, indent=2) + "\n")
    report.close(f"generator: {total:,} customers, {row_counts.get('order_items', 0):,} order lines "
                 f"in {report.seconds:.1f} s ({workers} {'process' if workers == 1 else 'processes'}) -> {out_dir}"
                 + (f" (truth -> {truth_dir})" if truth_dir is not None else ""))
    return {"rows": dict(sorted(row_counts.items())), "faults": dict(sorted(faults.items()))}


def simulate_truth(seed: int = DEFAULT_SEED, scale: float = 1.0, chunk_size: int = DEFAULT_CHUNK_SIZE,
                   jobs: int | None = 1) -> dict[str, pa.Table]:
    """The ground truth of generate(seed, scale, chunk_size), as Arrow tables, without writing anything.

    Simulates every chunk as generate does (so the same truth as --truth-dir), encodes no source table.
    """
    reference = build_reference(seed, scale)
    total = int(round(DEFAULT_CUSTOMERS * scale))
    n_chunks = -(-total // chunk_size)
    workers = max(1, min(jobs or os.cpu_count() or 1, n_chunks))
    parts: dict[str, list[pa.Table]] = {table: [] for table in TRUTH_TABLES}
    runner_args: RunnerArgs = (reference, seed, "parquet", chunk_size, total, False, True)
    for output in _outputs(runner_args, n_chunks, workers):
        for table, data in output.truth.items():
            parts[table].append(data)  # type: ignore[arg-type]
    return {table: pa.concat_tables(tables) for table, tables in parts.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SEEDS_DIR, help="output folder (default: seeds/crm)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = about 2,000 customers")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="customers per chunk")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: one per CPU; 1: simulate in this process)")
    parser.add_argument("--manifest", type=Path, help="also write row and fault counts as JSON here")
    parser.add_argument("--truth-dir", type=Path,
                        help="also write the ground truth (truth_<table> files, see truth.py) to this folder; "
                             "never in the output folder or under seeds/")
    args = parser.parse_args(argv)
    if args.truth_dir is not None:
        try:
            _check_truth_dir(args.truth_dir, args.out)
        except ValueError as error:
            parser.error(str(error))
    manifest = generate(args.out, args.seed, args.scale, args.format, args.chunk_size, args.jobs, progress=True,
                        truth_dir=args.truth_dir)
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
