#!/usr/bin/env bash
# PostgreSQL's server binaries for scripts/with_postgres.sh, where the machine allows: already
# installed (Debian's /usr/lib/postgresql/<version>/bin, or PG_BINDIR), or root (or password-less
# sudo) with apt-get, which installs Debian's postgresql package. Exits 0 when the binaries are
# there; otherwise says why and exits 1, and `make test` then reports the PostgreSQL check as
# not run, never as passed.
set -uo pipefail

found() {
    [[ -n "${PG_BINDIR:-}" && -x "${PG_BINDIR}/initdb" ]] && return 0
    local candidate
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x "$candidate/initdb" ]] && return 0
    done
    return 1
}

found && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres: no PostgreSQL server binaries and no apt-get to install them"
    exit 1
fi
if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "postgres: no PostgreSQL server binaries and no root to install them (apt-get install postgresql)"
    exit 1
fi
echo "postgres: installing Debian's postgresql package (about a minute)"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1; then
    # A fresh machine may have no package lists yet.
    "${sudo[@]}" apt-get update -q >/dev/null 2>&1 || true
    "${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1
fi
if found; then
    exit 0
fi
echo "postgres: installing postgresql failed"
exit 1
