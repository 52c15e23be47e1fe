"""One way to reach the throwaway PostgreSQL that scripts/with_postgres.sh starts.

Host, port and database come from the same environment variables as profiles.yml's postgres
target (CRM_PG_HOST, CRM_PG_PORT, CRM_PG_DATABASE), so the checks read what dbt built.
"""

from __future__ import annotations

import os
from typing import Any


def connect(user: str | None = None, password: str | None = None) -> Any:  # a psycopg2 connection
    """A connection in autocommit (the checks only read, and a refused read must not abort the
    next one); as the owner role (CRM_PG_USER) unless another user is given."""
    import psycopg2  # only the PostgreSQL checks need it

    connection = psycopg2.connect(
        host=os.environ.get("CRM_PG_HOST", "127.0.0.1"), port=int(os.environ.get("CRM_PG_PORT", "54329")),
        user=user or os.environ.get("CRM_PG_USER", "crm_owner"),
        password=os.environ.get("CRM_PG_PASSWORD", "") if password is None else password,
        dbname=os.environ.get("CRM_PG_DATABASE", "crm"))
    connection.autocommit = True
    return connection
