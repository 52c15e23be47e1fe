"""Writes every CRM source table, as CSV seeds or as Parquet at any scale.

    python -m crm_warehouse.generator                       # the committed seeds (seeds/crm/)
    python -m crm_warehouse.generator --scale 50 --format parquet --out data/sf50

Scale 1 is the default size (about 2,000 customers). Customers are simulated in chunks, so
memory is bounded by --chunk-size whatever the scale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .simulate import REFERENCE_TABLES, TABLES, ChunkSimulator, Counters, build_reference
from .sinks import CsvSink, ParquetSink, Sink

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2000
DEFAULT_CHUNK_SIZE = 5000
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "crm"


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, fmt: str = "csv",
             chunk_size: int = DEFAULT_CHUNK_SIZE) -> dict[str, dict[str, int]]:
    """Generate all source tables into out_dir; returns row counts and planted-fault counts."""
    sink: Sink = CsvSink(out_dir) if fmt == "csv" else ParquetSink(out_dir)
    reference = build_reference(seed, scale)
    row_counts: dict[str, int] = {}
    faults: dict[str, int] = {}
    try:
        for table in REFERENCE_TABLES:
            sink.write(table, TABLES[table], reference.rows[table])
            row_counts[table] = len(reference.rows[table])
        total = int(round(DEFAULT_CUSTOMERS * scale))
        counters = Counters()
        for chunk, first in enumerate(range(0, total, chunk_size)):
            size = min(chunk_size, total - first)
            rows, chunk_faults = ChunkSimulator(reference, seed, chunk, 10001 + first, size, counters).run()
            for table, table_rows in rows.items():
                sink.write(table, TABLES[table], table_rows)
                row_counts[table] = row_counts.get(table, 0) + len(table_rows)
            for fault, count in chunk_faults.items():
                faults[fault] = faults.get(fault, 0) + count
    finally:
        sink.close()
    return {"rows": dict(sorted(row_counts.items())), "faults": dict(sorted(faults.items()))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SEEDS_DIR, help="output folder (default: seeds/crm)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = about 2,000 customers")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="customers per chunk")
    parser.add_argument("--manifest", type=Path, help="also write row and fault counts as JSON here")
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.seed, args.scale, args.format, args.chunk_size)
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
