"""One way to reach the throwaway PostgreSQL that scripts/with_postgres.sh starts.

Host, port and database come from the same environment variables as profiles.yml's postgres
target (CRM_PG_HOST, CRM_PG_PORT, CRM_PG_DATABASE), so the checks read what dbt built.
"""

from __future__ import annotations

import os
from typing import Any


def connect(user: str | None = None, password: str = "") -> Any:  # a psycopg2 connection
    """A connection in autocommit (the checks only read, and a refused read must not abort the
    next one): as the owner role (CRM_PG_USER, CRM_PG_PASSWORD) when no user is given, else as
    that user with that password (never the owner's)."""
    import psycopg2  # only the PostgreSQL checks need it

    if user is None:
        user, password = os.environ.get("CRM_PG_USER", "crm_owner"), os.environ.get("CRM_PG_PASSWORD", "")
    connection = psycopg2.connect(
        host=os.environ.get("CRM_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CRM_PG_PORT", "54329")),
        user=user, password=password, dbname=os.environ.get("CRM_PG_DATABASE", "crm"))
    connection.autocommit = True
    return connection
