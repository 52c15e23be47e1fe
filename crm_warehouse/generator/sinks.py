"""Where generated tables go: CSV files (dbt seeds) or Parquet files (scale runs).

Writing is split in two so that the costly half can run in the worker processes: ``encode``
turns a table's rows into CSV text or an Arrow table (a pure function of the rows;
``encode_columns`` does the same from values column by column, as a chunk's records are read
out), and the sink's ``write`` appends that to the table's file, one chunk at a time, so memory
stays bounded by the chunk size whatever the scale factor. Values arrive already as Python
scalars; every column has a declared kind so that Parquet files keep one schema across chunks
(a chunk whose column is all null would otherwise infer a different type).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TextIO, TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq

Row = Sequence[object]
Columns = Sequence[tuple[str, str]]  # (name, kind) with kind in int | float | str | bool
Encoded: TypeAlias = str | pa.Table  # CSV text (no header) or an Arrow table

_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}


class Sink(Protocol):
    def write(self, table: str, columns: Columns, data: Encoded) -> None: ...

    def close(self) -> None: ...


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_text(columns: Columns, rows: Sequence[Row]) -> str:
    """CSV lines of the rows (LF line endings, so bytes are reproducible)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([_csv_value(v) for v in row] for row in rows)
    return buffer.getvalue()


def _arrow_schema(columns: Columns) -> pa.Schema:
    return pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])


def arrow_table(columns: Columns, rows: Sequence[Row]) -> pa.Table:
    """The rows as an Arrow table of the declared column types (one chunk per column)."""
    return arrow_table_of_columns(columns, list(zip(*rows)) if rows else [()] * len(columns))


def arrow_table_of_columns(columns: Columns, values: Sequence[Sequence[object]]) -> pa.Table:
    """An Arrow table of the declared column types from its values column by column."""
    arrays = [pa.array(column, type=_ARROW_TYPES[kind]) for column, (_, kind) in zip(values, columns)]
    return pa.Table.from_arrays(arrays, schema=_arrow_schema(columns))


ENCODERS = {"csv": csv_text, "parquet": arrow_table}


def encode(fmt: str, columns: Columns, rows: Sequence[Row]) -> Encoded:
    return ENCODERS[fmt](columns, rows)


def encode_columns(fmt: str, columns: Columns, values: Sequence[Sequence[object]]) -> Encoded:
    """``encode`` of values given column by column: Arrow takes them as they are, CSV zipped into rows."""
    if fmt == "parquet":
        return arrow_table_of_columns(columns, values)
    return csv_text(columns, list(zip(*values)))


class CsvSink:
    """Writes <table>.csv files with a header row."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, TextIO] = {}

    def write(self, table: str, columns: Columns, data: Encoded) -> None:
        if table not in self._files:
            handle = open(self.directory / f"{table}.csv", "w", newline="", encoding="utf-8")
            csv.writer(handle, lineterminator="\n").writerow([name for name, _ in columns])
            self._files[table] = handle
        self._files[table].write(data)  # type: ignore[arg-type]

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()


class ParquetSink:
    """Writes <table>.parquet files, one row group per chunk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, table: str, columns: Columns, data: Encoded) -> None:
        if table not in self._writers:
            self._writers[table] = pq.ParquetWriter(self.directory / f"{table}.parquet", _arrow_schema(columns))
        self._writers[table].write_table(data)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def open_sink(fmt: str, directory: Path) -> Sink:
    return CsvSink(directory) if fmt == "csv" else ParquetSink(directory)
