"""Where generated tables go: CSV files (dbt seeds) or Parquet files (scale runs).

Both sinks append one chunk at a time, so memory stays bounded by the chunk size whatever the
scale factor. Values arrive already as Python scalars; every column has a declared kind so
that Parquet files keep one schema across chunks (a chunk whose column is all null would
otherwise infer a different type).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Protocol, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

Row = Sequence[object]
Columns = Sequence[tuple[str, str]]  # (name, kind) with kind in int | float | str | bool

_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}


class Sink(Protocol):
    def write(self, table: str, columns: Columns, rows: list[Row]) -> None: ...

    def close(self) -> None: ...


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CsvSink:
    """Writes <table>.csv files with a header row; LF line endings so bytes are reproducible."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, tuple[object, object]] = {}

    def write(self, table: str, columns: Columns, rows: list[Row]) -> None:
        if table not in self._files:
            handle = open(self.directory / f"{table}.csv", "w", newline="", encoding="utf-8")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([name for name, _ in columns])
            self._files[table] = (handle, writer)
        _, writer = self._files[table]
        writer.writerows([_csv_value(v) for v in row] for row in rows)  # type: ignore[attr-defined]

    def close(self) -> None:
        for handle, _ in self._files.values():
            handle.close()  # type: ignore[attr-defined]
        self._files.clear()


class ParquetSink:
    """Writes <table>.parquet files, one row group per chunk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, table: str, columns: Columns, rows: list[Row]) -> None:
        schema = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])
        if table not in self._writers:
            self._writers[table] = pq.ParquetWriter(self.directory / f"{table}.parquet", schema)
        arrays = [
            pa.array([row[i] for row in rows], type=_ARROW_TYPES[kind])
            for i, (_, kind) in enumerate(columns)
        ]
        self._writers[table].write_table(pa.Table.from_arrays(arrays, schema=schema))

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
