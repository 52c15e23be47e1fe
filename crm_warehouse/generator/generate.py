"""Writes every CRM source table, as CSV seeds or as Parquet at any scale.

    python -m crm_warehouse.generator                       # the committed seeds (seeds/crm/)
    python -m crm_warehouse.generator --scale 50 --format parquet --out data/sf50

Scale 1 is the default size (about 2,000 customers). Customers are simulated in chunks, each
with its own random stream, by --jobs worker processes (default: one per CPU; 1: in this
process). Rows are written strictly in chunk order and ids are numbered on as if the chunks ran
one after the other, so the bytes are the same for any --jobs. Memory is bounded by --chunk-size
and --jobs whatever the scale. Progress and a summary go to stderr; the row and planted-fault
counts, as JSON, to stdout.
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

from .simulate import REFERENCE_TABLES, TABLES, ChunkSimulator, Counters, Reference, build_reference
from .sinks import Encoded, encode, open_sink

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
DEFAULT_CHUNK_SIZE = 5000
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "crm"
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


class ChunkRunner:
    """Simulates chunk k (customers k * chunk_size onwards), numbers its ids and encodes its rows."""

    def __init__(self, reference: Reference, seed: int, fmt: str, chunk_size: int, total: int, ids: IdChain) -> None:
        self.reference, self.seed, self.fmt, self.chunk_size, self.total, self.ids = (
            reference, seed, fmt, chunk_size, total, ids)

    def __call__(self, chunk: int) -> ChunkOutput:
        first = chunk * self.chunk_size
        size = min(self.chunk_size, self.total - first)
        with _gc_paused():
            simulated = ChunkSimulator(self.reference, self.seed, chunk, 10001 + first, size).run()
            rows = simulated.numbered(self.ids.take_turn(chunk, simulated.used))
            return ChunkOutput(
                tables={table: encode(self.fmt, TABLES[table], table_rows) for table, table_rows in rows.items()},
                row_counts={table: len(table_rows) for table, table_rows in rows.items()},
                faults=simulated.faults,
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


RunnerArgs = tuple[Reference, int, str, int, int]  # ChunkRunner's arguments but the IdChain


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


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, fmt: str = "csv",
             chunk_size: int = DEFAULT_CHUNK_SIZE, jobs: int | None = 1,
             progress: bool = False) -> dict[str, dict[str, int]]:
    """Generate all source tables into out_dir; returns row counts and planted-fault counts.

    jobs: worker processes (None: one per CPU; 1: in this process). progress: report on stderr.
    """
    sink = open_sink(fmt, out_dir)
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
        runner_args: RunnerArgs = (reference, seed, fmt, chunk_size, total)
        for chunk, output in enumerate(_outputs(runner_args, n_chunks, workers)):
            for table, data in output.tables.items():
                sink.write(table, TABLES[table], data)
                row_counts[table] = row_counts.get(table, 0) + output.row_counts[table]
            for fault, count in output.faults.items():
                faults[fault] = faults.get(fault, 0) + count
            report.advance(min(chunk_size, total - chunk * chunk_size))
    finally:
        sink.close()
    report.close(f"generator: {total:,} customers, {row_counts.get('order_items', 0):,} order lines "
                 f"in {report.seconds:.1f} s ({workers} {'process' if workers == 1 else 'processes'}) -> {out_dir}")
    return {"rows": dict(sorted(row_counts.items())), "faults": dict(sorted(faults.items()))}


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
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.seed, args.scale, args.format, args.chunk_size, args.jobs, progress=True)
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
