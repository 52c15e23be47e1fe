"""Says in one line that the DuckDB warehouse is in use, instead of a traceback.

    python -m crm_warehouse.warehouse_lock [--write] [path]
    (default path: $CRM_DUCKDB_PATH or warehouse/crm.duckdb)

DuckDB allows one writer per file, and while it writes even read-only opens are refused.
This opens the file the way the next step will (read-only, or read-write with --write, which
readers also block) and exits 1 with one line naming the process that holds it; 0 if the file
is free or does not exist yet. Other Python code calls `connect`, which raises WarehouseInUse.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import duckdb

DEFAULT_PATH = Path(os.environ.get("CRM_DUCKDB_PATH", "warehouse/crm.duckdb"))
# DuckDB 2.0: 'IO Error: Could not set lock on file "...": Conflicting lock is held in <program> (PID 123) ...'
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class WarehouseInUse(SystemExit):
    """Another process holds the file. A SystemExit, so a command ends with the one line and exit
    status 1 rather than a traceback; library code can catch it by name. str() is the line."""

    def __init__(self, path: Path, error: duckdb.Error) -> None:
        super().__init__(in_use_message(path, error))


def is_lock_error(error: duckdb.Error) -> bool:
    return "Could not set lock on file" in str(error)


def _command(pid: str, program: str) -> str:
    """The holder's command line from /proc (e.g. 'dbt build ...'), else DuckDB's program name."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return Path(program).name
    args = [a for a in args if a]
    if len(args) > 1 and Path(args[0]).name.startswith("python") and not args[1].startswith("-"):
        args = args[1:]  # `python .venv/bin/dbt build`: show the script, not the interpreter
    command = " ".join(" ".join([Path(args[0]).name, *args[1:]]).split()) if args else Path(program).name
    return command if len(command) <= 80 else command[:77] + "..."


def in_use_message(path: Path, error: duckdb.Error) -> str:
    holder = _HOLDER.search(str(error))
    who = f"process {holder['pid']} ({_command(holder['pid'], holder['program'])})" if holder else "another process"
    other = path.with_name(f"{path.stem}_next{path.suffix}")
    return (f"{path} is in use by {who}: wait for it to finish, "
            f"or build into another file with CRM_DUCKDB_PATH={other}")


def connect(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, raising WarehouseInUse (one line) when another process holds the file."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        if is_lock_error(error):
            raise WarehouseInUse(path, error) from None
        raise


def check(path: Path, write: bool = False) -> str | None:
    """The one-line message if the file is in use, else None (also for a file not built yet)."""
    if not path.exists():
        return None
    try:
        connect(path, read_only=not write).close()
    except WarehouseInUse as in_use:
        return str(in_use.code)
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    write = "--write" in args
    paths = [a for a in args if a != "--write"]
    if len(paths) > 1 or any(a.startswith("-") for a in paths):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(paths[0]) if paths else DEFAULT_PATH
    try:
        message = check(path, write)
    except duckdb.Error as error:  # not a lock: say so in one line too
        message = f"{path} cannot be opened: {str(error).splitlines()[0]}"
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
