"""A fresh PostgreSQL database for a test, when PostgreSQL answers on 127.0.0.1:5432 (trust auth)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from agentic_kit._operate.scratch_postgres import postgres_answers, scratch_database

__all__ = ["postgres_answers", "postgres_database"]


def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards; skipped when no server answers."""
    try:
        with scratch_database("agentic_test") as url:
            yield url
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 ({exc})")
