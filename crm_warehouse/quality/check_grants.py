"""Can the analyst role read the marts, and only the marts? (PostgreSQL)

Logs in as the analyst role (CRM_ANALYST_ROLE, default crm_analyst) and selects one row from
every table in the marts schema (each must work) and from every table and view in raw,
staging, intermediate, snapshots, restricted and test_failures (each must be refused with
"permission denied"). Prints one line per schema and exits 1 on any surprise, listing it.
`make postgres` runs it after the build and again after a rebuild: dbt re-applies the grants
(dbt_project.yml, macros/privacy/grants.sql) whenever it replaces a table.

    python -m crm_warehouse.quality.check_grants [--label "after the build"]
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from .postgres import connect

READABLE = ("marts",)
REFUSED = ("raw", "staging", "intermediate", "snapshots", "restricted", "test_failures")


@dataclass(frozen=True)
class Attempt:
    schema: str
    table: str
    allowed: bool
    error: str


def relations(owner, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, table) of every table and view in the schemas, as the owner sees them."""
    with owner.cursor() as cursor:
        cursor.execute("select table_schema, table_name from information_schema.tables "
                       "where table_schema = any(%s) order by 1, 2", (list(schemas),))
        return cursor.fetchall()


def attempt(analyst, schema: str, table: str) -> Attempt:
    import psycopg2

    try:
        with analyst.cursor() as cursor:
            cursor.execute(f'select 1 from "{schema}"."{table}" limit 1')
            cursor.fetchall()
        return Attempt(schema, table, True, "")
    except psycopg2.Error as error:
        return Attempt(schema, table, False, str(error).splitlines()[0])


def wrong_attempts(attempts: list[Attempt]) -> list[Attempt]:
    """Reads that should have been refused, and refusals of a readable table or for another
    reason than missing privileges (a refusal for a missing table proves nothing)."""
    return [a for a in attempts
            if a.allowed != (a.schema in READABLE) or (not a.allowed and "permission denied" not in a.error)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="", help="when this check runs, for the output")
    args = parser.parse_args(argv)
    role = os.environ.get("CRM_ANALYST_ROLE", "crm_analyst")
    owner = connect()
    analyst = connect(role, os.environ.get("CRM_ANALYST_PASSWORD", ""))
    surprises: list[str] = []
    label = f" ({args.label})" if args.label else ""
    for schema in (*READABLE, *REFUSED):
        tables = [table for s, table in relations(owner, (schema,))]
        if not tables:
            if schema in READABLE or schema in ("raw", "staging", "restricted"):
                surprises.append(f"{schema}: no tables to check")
            continue
        attempts = [attempt(analyst, schema, table) for table in tables]
        allowed = [a for a in attempts if a.allowed]
        wrong = wrong_attempts(attempts)
        verdict = "reads" if schema in READABLE else "is refused"
        print(f"grants{label}: {role} {verdict} {schema}: {len(allowed)} of {len(attempts)} tables readable"
              f"{'' if not wrong else f', {len(wrong)} wrong'}")
        for a in wrong:
            surprises.append(f"{a.schema}.{a.table}: {'readable' if a.allowed else a.error}")
    for surprise in surprises:
        print(f"grants{label}: WRONG {surprise}")
    print(f"grants{label}: {'FAILED' if surprises else 'passed'}")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
