"""Personal data: no mart carries any, the contacts live in their own owner-only file, and
customer keys cannot be recomputed from source ids without the secret salt."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from crm_warehouse import privacy

ROOT = Path(__file__).resolve().parents[2]
SALT = "a-test-salt-9f2c"


def test_no_mart_carries_personal_data(warehouse_path: Path) -> None:
    """Every text column of every mart scanned for emails, phones and the customers' own names;
    the same scan over the restricted contacts must find them (else it proves nothing)."""
    marts, control, scanned = privacy.scan(warehouse_path)
    assert scanned > 50
    assert {f.kind for f in control} >= {"an email address", "a phone number", "a customer's email",
                                          "a customer's phone", "a personal-data column name"}
    assert not marts, "\n".join(map(str, marts))


def test_the_scan_finds_what_is_planted() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("""create table marts.leaky as select * from (values
        ('a', 'ann.lee@example.org', '(+1) 555 010 1234', 'Ann Lee', '1001-2022-02-01', '123456789'),
        ('b', 'none', 'none', 'Bob', '2022-01-01+0', '2024-06-30')
        ) as t(id, note, contact, label, composite_id, plain_id)""")
    con.execute("create table marts.people (customer_email varchar, birth_date date)")
    con.execute("create table contacts as select 'x@y.zz' as email, null as phone, 'Ann' as first_name, 'Lee' as last_name")
    findings = {(f.table, f.column, f.kind) for f in privacy.scan_schema(con, "memory", "marts", "contacts")}
    assert findings == {
        ("leaky", "note", "an email address"),
        ("leaky", "contact", "a phone number"),
        ("leaky", "label", "a customer's full name"),
        ("people", "customer_email", "a personal-data column name"),
        ("people", "birth_date", "a personal-data column name"),
    }


def test_contacts_live_in_the_owner_only_restricted_file(warehouse_path: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        schemas = {row[0] for row in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()").fetchall()}
    assert "marts" in schemas and "restricted" not in schemas
    restricted = privacy.restricted_path(warehouse_path)
    with duckdb.connect(str(restricted), read_only=True) as con:
        tables = {row[0] for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'restricted'").fetchall()}
    assert "dim_customer_contacts" in tables
    # protect: a new file is created owner-only, an existing one narrowed to that.
    new = privacy.protect(tmp_path / "fresh.duckdb")
    assert new == tmp_path / "fresh_restricted.duckdb"
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    new.chmod(0o644)
    assert stat.S_IMODE(privacy.protect(tmp_path / "fresh.duckdb").stat().st_mode) == 0o600


@pytest.fixture(scope="module")
def salted(warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the warehouse with the identity map rebuilt under a secret salt: (database, dbt target)."""
    folder = tmp_path_factory.mktemp("salted")
    database = folder / "crm.duckdb"
    shutil.copy(warehouse_path, database)
    shutil.copy(privacy.restricted_path(warehouse_path), privacy.restricted_path(database))
    env = {**os.environ, "CRM_DUCKDB_PATH": str(database), "CRM_DUCKDB_TEMP_DIR": str(folder / "tmp"),
           "DBT_PROFILES_DIR": str(ROOT), "DBT_ENV_SECRET_CRM_KEY_SALT": SALT}
    env.pop("CRM_RESTRICTED_PATH", None)
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run([str(dbt), "run", "--select", "int_customers__identity_map", "--quiet",
                    "--target-path", str(folder / "target"), "--log-path", str(folder / "logs"),
                    # Every statement dbt sends, where a salt written into SQL would show.
                    "--log-level-file", "debug"],
                   cwd=ROOT, env=env, check=True)
    return database, folder / "target"


def test_keys_are_salted_with_the_secret(salted: tuple[Path, Path]) -> None:
    database, _ = salted
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute("select source_system, master_customer_id, master_web_account_id, customer_key "
                           "from intermediate.int_customers__identity_map").fetchall()
    assert rows
    for system, customer_id, web_account_id, key in rows:
        source = f"crm:{customer_id}" if customer_id is not None else f"web:{web_account_id}"
        assert key == hashlib.md5(f"{SALT}{source}".encode()).hexdigest(), (system, customer_id, web_account_id)
        assert key != hashlib.md5(source.encode()).hexdigest()


def test_the_salt_stays_out_of_the_project_s_artefacts(salted: tuple[Path, Path]) -> None:
    """Not in the manifest (which the docs site embeds), run results, compiled SQL, dbt's log or
    the warehouse: the connection carries it (profiles.yml, macro customer_key_salt)."""
    database, target = salted
    artefacts = [p for folder in (target, target.parent / "logs") for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in artefacts) and any(p.name == "dbt.log" for p in artefacts)
    leaking = [p for p in artefacts if SALT.encode() in p.read_bytes()]
    assert not leaking
    assert SALT.encode() not in database.read_bytes()


def test_the_grants_check_tells_a_wrong_grant() -> None:
    """check_grants' verdicts (the PostgreSQL run itself is in `make postgres`)."""
    from crm_warehouse.quality.check_grants import Attempt, wrong_attempts

    denied = 'permission denied for schema restricted'
    attempts = [
        Attempt("marts", "dim_customers", True, ""),
        Attempt("marts", "fct_order_lines", False, 'permission denied for table fct_order_lines'),
        Attempt("restricted", "dim_customer_contacts", False, denied),
        Attempt("staging", "stg_crm__customers", True, ""),
        Attempt("raw", "customers", False, 'relation "raw.customers" does not exist'),
    ]
    assert [(a.schema, a.table) for a in wrong_attempts(attempts)] == [
        ("marts", "fct_order_lines"), ("staging", "stg_crm__customers"), ("raw", "customers")]
