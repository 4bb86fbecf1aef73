"""A throwaway PostgreSQL database on this machine's server (127.0.0.1:5432, trust auth): for a Prefect server or a
store that lives as long as one test session or one bench run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    """Whether PostgreSQL answers on 127.0.0.1:5432."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new database named `<prefix>_<random>`, its URL, dropped at the end; psycopg.OperationalError when no
    server answers."""
    admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
