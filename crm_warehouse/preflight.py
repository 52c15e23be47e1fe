"""Checks the raw CRM extract before `dbt seed`, with one clear line per problem.

    python -m crm_warehouse.preflight [folder]     (default: seeds/crm)

For each of the 17 source tables (columns from the generator's ``TABLES``) it checks that the
file exists, is UTF-8 CSV, has every expected column in its header and as many values on each
line, and that the tables the warehouse cannot do without have rows. A folder of Parquet files
(``<table>.parquet``, or a folder ``<table>/`` of them, as ``--format parquet`` writes) is
checked for columns and rows with DuckDB. Then, for either format, every value must convert to
the type its column declares in ``seeds/_seeds.yml`` (the contract of the raw layer: the seeds
load with those types, and file sources are cast to them); a value that does not is reported
with its file, column and a few examples. Files are streamed, so memory stays bounded whatever
their size. Exits 1 listing every problem, 0 with a one-line summary.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import yaml

from crm_warehouse.generator.simulate import TABLES

DEFAULT_FOLDER = Path("seeds/crm")
SEEDS_YAML = Path(__file__).resolve().parents[1] / "seeds" / "_seeds.yml"
TYPE_EXAMPLES = 3  # offending values shown per column
# Tables the marts cannot be built without, and what one of their rows is called.
REQUIRED_ROWS = {
    "orders": "order",
    "order_items": "order line",
    "exchange_rates": "exchange rate",
    "customers": "customer",
    "products": "product",
    "product_categories": "product category",
    "channels": "channel",
}
MAX_LINES_PER_KIND = 5  # per file and kind of problem; the rest are counted, not listed


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path} line {self.line}" if self.line is not None else str(self.path)
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


@dataclass(frozen=True)
class TableReport:
    table: str
    rows: int
    problems: list[Problem]


def expected_columns(table: str) -> list[str]:
    """Read at call time, so a column added to the generator's TABLES is expected at once."""
    return [name for name, _ in TABLES[table]]


def check_header(path: Path, table: str, header: list[str]) -> list[Problem]:
    expected = expected_columns(table)
    listing = ", ".join(expected)
    problems = [
        Problem(path, f"column '{column}' of table {table} missing from the header (expected: {listing})")
        for column in expected if column not in header
    ]
    problems += [
        Problem(path, f"column '{column}' appears {header.count(column)} times in the header of table {table}")
        for column in dict.fromkeys(header) if header.count(column) > 1
    ]
    problems += [
        Problem(path, f"column '{column}' is not a column of table {table} (expected: {listing}); "
                      "dbt seed loads it, staging ignores it", warning=True)
        for column in dict.fromkeys(header) if column not in expected
    ]
    return problems


def _shown(value: str, limit: int = 60) -> str:
    """A value as text, undecodable bytes as \\xNN, shortened."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Lines:
    """Decoded lines of a byte stream; lines that are not UTF-8 are decoded with surrogateescape
    (so the CSV reader still sees their fields) and remembered as (line number, bytes)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.number = 0
        self.undecodable: list[tuple[int, bytes]] = []

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.number += 1
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte-order mark: dbt seed skips it too
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self.undecodable.append((self.number, raw.rstrip(b"\r\n")[error.start: error.start + 2]))
                yield raw.decode("utf-8", "surrogateescape")


def _undecodable(path: Path, lines: _Lines, row: list[str], columns: list[str] | None) -> list[Problem]:
    """One problem per line of `row` that was not UTF-8, naming the column (None: row is the header)."""
    problems = []
    for number, bad in lines.undecodable:
        names = columns or ["header"] * len(row)
        fields = [(c, v) for c, v in zip(names, row) if any("\udc80" <= ch <= "\udcff" for ch in v)]
        where = "" if not fields else (
            f" in the header, column name '{_shown(fields[0][1])}'" if columns is None
            else f" at column '{fields[0][0]}', value '{_shown(fields[0][1])}'")
        shown = " ".join(f"0x{b:02x}" for b in bad)
        problems.append(Problem(path, f"not UTF-8 (bytes {shown}{where}): save the file as UTF-8", number))
    lines.undecodable.clear()
    return problems


def _no_rows(path: Path, table: str, rows: int) -> list[Problem]:
    if rows or table not in REQUIRED_ROWS:
        return []
    only = "header only" if path.suffix == ".csv" else "schema only"
    return [Problem(path, f"table {table} has no rows ({only}); "
                          f"the warehouse needs at least one {REQUIRED_ROWS[table]}")]


def check_csv(path: Path, table: str) -> TableReport:
    problems: list[Problem] = []
    listed: dict[str, int] = {}  # problems per kind: only the first few are listed

    def add(kind: str, found: list[Problem]) -> None:
        for problem in found:
            listed[kind] = listed.get(kind, 0) + 1
            if listed[kind] <= MAX_LINES_PER_KIND:
                problems.append(problem)

    rows = 0
    with path.open("rb") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
            if header is None:
                return TableReport(table, 0, [Problem(
                    path, f"file is empty (no header); table {table} needs the columns: "
                          + ", ".join(expected_columns(table)))])
            add("encoding", _undecodable(path, lines, header, None))
            problems += check_header(path, table, header)
            for row in reader:
                if lines.undecodable:
                    add("encoding", _undecodable(path, lines, row, header))
                if not row:
                    continue  # a blank line
                rows += 1
                if len(row) != len(header):
                    values = f"{len(row)} value{'s' * (len(row) != 1)}"
                    add("width", [Problem(
                        path, f"{values} but the header of table {table} has {len(header)} columns "
                              f"(first value '{_shown(row[0])}')", reader.line_num)])
        except csv.Error as error:
            add("csv", [Problem(path, f"cannot be read as CSV ({error}); reading stopped here", lines.number)])
            return TableReport(table, rows, problems)
    for kind, count in listed.items():
        if count > MAX_LINES_PER_KIND:
            what = {"encoding": "lines not UTF-8", "width": "lines with the wrong number of values"}[kind]
            problems.append(Problem(path, f"and {count - MAX_LINES_PER_KIND:,} more {what}"))
    if rows and not any(not p.warning for p in problems):
        relation = f"read_csv({_sql_string(str(path))}, header = true, all_varchar = true)"
        problems += check_types(path, table, relation, header)
    return TableReport(table, rows, problems + _no_rows(path, table, rows))


@cache  # every table's check asks; parsing the YAML took 70 ms each time
def declared_types() -> dict[str, dict[str, str]]:
    """Column -> SQL type per source table, as seeds/_seeds.yml declares them."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where PyYAML was built with it
    seeds = yaml.load(SEEDS_YAML.read_text(encoding="utf-8"), Loader=loader)["seeds"]
    return {seed["name"]: dict(seed["config"]["column_types"]) for seed in seeds
            if seed["name"] in TABLES and "column_types" in seed.get("config", {})}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_types(path: Path, table: str, relation: str, header: list[str]) -> list[Problem]:
    """One problem per column holding values that do not convert to the declared type.

    `relation` is a DuckDB table expression over the file, reading CSV as text. One pass over
    the file counts every column's bad values; only columns with some are sampled again."""
    import duckdb  # only this check and Parquet need it

    types = {c: t for c, t in declared_types().get(table, {}).items() if c in header and t.lower() != "varchar"}
    if not types:
        return []

    def bad(column: str) -> str:
        return f"{_quoted(column)} is not null and try_cast({_quoted(column)} as {types[column]}) is null"

    counts = ", ".join(f"count(*) filter (where {bad(c)})" for c in types)
    with duckdb.connect() as con:
        found = dict(zip(types, con.execute(f"select {counts} from {relation}").fetchone()))  # type: ignore[arg-type]
        problems = []
        for column, count in found.items():
            if not count:
                continue
            examples = [str(v) for (v,) in con.execute(
                f"select distinct {_quoted(column)} from {relation} where {bad(column)} "
                f"order by 1 limit {TYPE_EXAMPLES}").fetchall()]
            shown = ", ".join(f"'{_shown(v)}'" for v in examples)
            problems.append(Problem(path, f"column '{column}' of table {table}: {count:,} value"
                                          f"{'s' * (count != 1)} not of type {types[column]} (e.g. {shown})"))
    return problems


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _parquet_source(folder: Path, table: str) -> Path | None:
    for candidate in (folder / f"{table}.parquet", folder / table):
        if candidate.exists():
            return candidate
    return None


def check_parquet(path: Path, table: str) -> TableReport:
    import duckdb  # only Parquet needs it

    pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    relation = f"read_parquet({_sql_string(pattern)})"
    try:
        with duckdb.connect() as con:
            header = [row[0] for row in con.execute(f"describe select * from {relation}").fetchall()]
            rows = con.execute(f"select count(*) from {relation}").fetchone()[0]  # type: ignore[index]
    except duckdb.Error as error:
        return TableReport(table, 0, [Problem(path, f"cannot be read as Parquet: {str(error).splitlines()[0]}")])
    problems = check_header(path, table, header)
    if rows and not any(not p.warning for p in problems):
        problems += check_types(path, table, relation, header)
    return TableReport(table, int(rows), problems + _no_rows(path, table, int(rows)))


def check_table(folder: Path, table: str, parquet: bool) -> TableReport:
    csv_path = folder / f"{table}.csv"
    if csv_path.exists():
        return check_csv(csv_path, table)
    parquet_path = _parquet_source(folder, table)
    if parquet_path is not None:
        return check_parquet(parquet_path, table)
    missing = folder / f"{table}.parquet" if parquet else csv_path
    return TableReport(table, 0, [Problem(
        missing, f"file missing; table {table} needs it (columns: {', '.join(expected_columns(table))})")])


def check_folder(folder: Path) -> list[TableReport]:
    # A folder of Parquet files names missing tables <table>.parquet, otherwise <table>.csv.
    parquet = not any(folder.glob("*.csv")) and any(folder.glob("*.parquet"))
    return [check_table(folder, table, parquet) for table in TABLES]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(args[0]) if args else DEFAULT_FOLDER
    if not folder.is_dir():
        print(f"{folder}: no such folder; expected the CRM extract (one file per table)", file=sys.stderr)
        return 1
    reports = check_folder(folder)
    problems = [p for r in reports for p in r.problems]
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(not p.warning for p in problems)
    warnings = len(problems) - errors
    if errors:
        files = len({p.path for p in problems if not p.warning})
        print(f"preflight: {folder}: {files} file{'s' * (files != 1)} with problems; fix them before the build",
              file=sys.stderr)
        return 1
    rows = sum(r.rows for r in reports)
    note = f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else ""
    print(f"preflight: {len(reports)} tables, {rows:,} rows, all readable{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
