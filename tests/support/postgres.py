"""A fresh PostgreSQL database for a test, when PostgreSQL answers on 127.0.0.1:5432 (trust auth)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    """Whether PostgreSQL answers on 127.0.0.1:5432."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards; skipped when no server answers."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 ({exc})")
    name = f"agentic_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
