"""Personal data: where it lives on DuckDB, and a scan that no analyst-facing mart carries any.

    python -m crm_warehouse.privacy protect [warehouse.duckdb]   owner-only restricted file
    python -m crm_warehouse.privacy scan [warehouse.duckdb]      scan the marts, exit 1 on a finding

The restricted schema (dim_customer_contacts) is built into its own
database file beside the warehouse (profiles.yml: crm.duckdb -> crm_restricted.duckdb, or
CRM_RESTRICTED_PATH). `protect` creates that file before dbt opens it, readable and writable by
its owner only (0600), or narrows an existing one to that: whoever may read crm.duckdb does not
get the contacts.

`scan` reads every column of every table in the `marts` schema and reports: a column named like
personal data (email, phone, name of a person, birth date), a text value shaped like an email
address or a phone number, and any text value that is a customer's email, phone or full name as
the restricted contacts hold them. It also scans the restricted contacts themselves and fails if
that finds nothing: a scan that cannot find personal data where it is proves nothing.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .warehouse_lock import DEFAULT_PATH, connect

RESTRICTED_ALIAS = "restricted"
# Column names that say personal data (customer or employee); matched against the whole name.
PERSONAL_COLUMN = re.compile(r"(.*_)?(email|phone|first_name|last_name|full_name|birth_date|date_of_birth)(_.*)?")
# Values: an email address anywhere in the text; a phone number as the whole value (digits with
# the separators phones are written with, at least 9 digits, and at least one separator or '+',
# so that bare numeric ids are not taken for phones; composite ids holding an ISO date, such as
# '1001-2022-02-01', are not phones either).
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_CHARACTERS = r"^[0-9 ()+./-]+$"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
PHONE_MIN_DIGITS = 9


@dataclass(frozen=True)
class Finding:
    table: str
    column: str
    kind: str
    rows: int
    example: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}: {self.kind} in {self.rows} rows (e.g. {self.example!r})"


def restricted_path(main: Path) -> Path:
    """The restricted database file of a warehouse file: the rule profiles.yml applies."""
    configured = os.environ.get("CRM_RESTRICTED_PATH", "").strip()
    if configured:
        return Path(configured)
    stem = main.name[: -len(".duckdb")] if main.name.endswith(".duckdb") else main.name
    return main.with_name(f"{stem}_restricted.duckdb")


def protect(main: Path) -> Path:
    """Create the restricted database file owner-only (or narrow an existing one); its path."""
    path = restricted_path(main)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Created under umask 077, so that it is never readable by others, not even for a moment.
        old_umask = os.umask(0o077)
        try:
            duckdb.connect(str(path)).close()
        finally:
            os.umask(old_umask)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return path


def attach_restricted(con: duckdb.DuckDBPyConnection, main: Path) -> None:
    """Attach the restricted database (read-only) to a connection on the warehouse."""
    path = restricted_path(main)
    if not path.exists():
        raise FileNotFoundError(f"{path}: the restricted database is not built (run the build first)")
    con.execute(f"attach if not exists '{path}' as {RESTRICTED_ALIAS} (read_only)")


def _text_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? order by table_name, column_index",
        [catalog, schema]).fetchall()


def scan_schema(con: duckdb.DuckDBPyConnection, catalog: str, schema: str,
                contacts: str | None = None) -> list[Finding]:
    """Findings of personal data in every table of catalog.schema. contacts: a relation with
    columns email, phone, first_name, last_name whose values are looked for verbatim."""
    if contacts:
        con.execute(f"""
            create or replace temp table known_personal_values as
            select distinct value, kind from (
                select email as value, 'a customer''s email' as kind from {contacts}
                union all select phone, 'a customer''s phone' from {contacts}
                union all select first_name || ' ' || last_name, 'a customer''s full name' from {contacts}
            ) where value is not null""")
    findings: list[Finding] = []
    columns = _text_columns(con, catalog, schema)
    for table, column, data_type in columns:
        if PERSONAL_COLUMN.fullmatch(column):
            findings.append(Finding(table, column, "a personal-data column name", 0, data_type))
        if data_type != "VARCHAR":
            continue
        relation = f'"{catalog}"."{schema}"."{table}"'
        value = f'"{column}"'
        is_email = f"regexp_matches({value}, '{EMAIL_PATTERN}')"
        is_phone = (f"(regexp_matches({value}, '{PHONE_CHARACTERS}') and regexp_matches({value}, '[^0-9]') "
                    f"and not regexp_matches({value}, '{ISO_DATE}') "
                    f"and length(regexp_replace({value}, '[^0-9]', '', 'g')) >= {PHONE_MIN_DIGITS})")
        checks = {"an email address": is_email, "a phone number": is_phone}
        for kind, condition in checks.items():
            rows, example = con.execute(
                f"select count(*), min({value}) from {relation} where {condition}").fetchone()
            if rows:
                findings.append(Finding(table, column, kind, rows, example))
        if contacts:
            for kind, rows, example in con.execute(
                    f"select known.kind, count(*), min(known.value) from {relation} as mart "
                    f"join known_personal_values as known on mart.{value} = known.value group by known.kind"
            ).fetchall():
                findings.append(Finding(table, column, kind, rows, example))
    return findings


def scan(main: Path) -> tuple[list[Finding], list[Finding], int]:
    """(findings in the marts, findings in the restricted contacts, text columns scanned in the marts)."""
    con = connect(main)
    try:
        attach_restricted(con, main)
        contacts = f"{RESTRICTED_ALIAS}.restricted.dim_customer_contacts"
        catalog = con.execute("select current_database()").fetchone()[0]
        marts = scan_schema(con, catalog, "marts", contacts)
        control = scan_schema(con, RESTRICTED_ALIAS, "restricted", contacts)
        scanned = sum(1 for _, _, data_type in _text_columns(con, catalog, "marts") if data_type == "VARCHAR")
        return marts, control, scanned
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("protect", "scan") or len(args) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    warehouse = Path(args[1]) if len(args) == 2 else DEFAULT_PATH
    if args[0] == "protect":
        path = protect(warehouse)
        print(f"privacy: personal data in {path} (owner-only, mode {stat.filemode(path.stat().st_mode)})")
        return 0
    marts, control, scanned = scan(warehouse)
    tables = len({f.table for f in control})
    print(f"privacy: scanned {scanned} text columns of the marts for emails, phones and customers' names")
    if not control:
        print("privacy: FAILED: the scan found nothing in restricted.dim_customer_contacts, so it proves nothing")
        return 1
    print(f"privacy: control: {len(control)} findings in {tables} restricted table, as expected")
    for finding in marts:
        print(f"privacy: FOUND {finding}")
    print(f"privacy: {'FAILED' if marts else 'passed'}: {len(marts)} findings in the marts")
    return 1 if marts else 0


if __name__ == "__main__":
    sys.exit(main())
