#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: a fresh cluster in a temporary folder,
# listening on 127.0.0.1:$CRM_PG_PORT only, stopped and removed when the command ends.
#   scripts/with_postgres.sh .venv/bin/dbt build --target postgres
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql-15).
set -euo pipefail

port="${CRM_PG_PORT:-54329}"

bindir="${PG_BINDIR:-}"
if [[ -z "$bindir" ]]; then
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" ]] && bindir="$candidate"
    done
fi
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
    echo "PostgreSQL server binaries not found (set PG_BINDIR, or: apt-get install postgresql-15)" >&2
    exit 2
fi

# Under /tmp, not the checkout: the server's own user must be able to reach it.
cluster="$(mktemp -d /tmp/crm-postgres.XXXXXX)"
# initdb and postgres refuse to run as root: use the postgres system user then.
as_owner=()
if [[ "$(id -u)" == 0 ]]; then
    as_owner=(runuser -u postgres --)
    chown postgres "$cluster"
fi

stop() {
    if [[ -f "$cluster/data/postmaster.pid" ]]; then
        "${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop > /dev/null || true
    fi
    rm -rf "$cluster"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$cluster/data" -U crm -A trust -E UTF8 --no-sync > "$cluster/initdb.log"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $cluster -c fsync=off -c synchronous_commit=off" start > /dev/null
# Two roles, as a real warehouse has them: the owner builds (owns the database, not a
# superuser), the analyst only reads what the project grants it (macros/privacy/grants.sql).
owner="${CRM_PG_USER:-crm_owner}"
analyst="${CRM_ANALYST_ROLE:-crm_analyst}"
"$bindir/psql" -h 127.0.0.1 -p "$port" -U crm -d postgres -q -v ON_ERROR_STOP=1 \
    -c "create role \"$owner\" login" -c "create role \"$analyst\" login" \
    -c "create database crm owner \"$owner\""

export CRM_PG_PORT="$port" CRM_PG_USER="$owner" CRM_ANALYST_ROLE="$analyst"
# The secret salt of customer_key reaches PostgreSQL as the session setting crm.key_salt
# (macro customer_key_salt); libpq reads PGOPTIONS. Spaces escaped for libpq.
salt="${DBT_ENV_SECRET_CRM_KEY_SALT:-}"
export PGOPTIONS="-c crm.key_salt=${salt// /\\ }"
"$@"
