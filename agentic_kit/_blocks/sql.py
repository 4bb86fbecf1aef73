"""SQL helpers every store module shares: UTC time, a UTC timestamp column, the dialect's insert, the upsert,
chunked IN queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

IDS_PER_QUERY = 500
"""Values per IN (…) query: well under every database's limit of bound parameters."""

T = TypeVar("T")


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A datetime in UTC; a naive one is taken as UTC, as the store writes its own."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware (SQLite keeps no offset, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def dialect_insert(bind: Session | Engine, table: Table) -> Any:
    """An INSERT of the bind's dialect (PostgreSQL or SQLite), so `on_conflict_do_update` and friends work on both."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    return insert(table)


def upsert(session: Session, row: SQLModel, keep: tuple[str, ...] = ("first_seen",)) -> None:
    """Insert a row or update it in place by primary key, leaving the `keep` columns as first written."""
    upsert_rows(session, [row], keep)


def upsert_rows(session: Session, rows: Sequence[SQLModel], keep: tuple[str, ...] = ("first_seen",)) -> None:
    """Insert rows of one table or update them in place by primary key, in one statement run for every row (the
    last of several rows with one key wins), leaving the `keep` columns as first written."""
    if not rows:
        return
    table = type(rows[0]).__table__  # type: ignore[attr-defined]
    keys = [column.name for column in table.primary_key.columns]
    by_key = {tuple(values[k] for k in keys): values for values in (row.model_dump() for row in rows)}
    statement = dialect_insert(session, table)
    columns = next(iter(by_key.values()))
    updates = {k: statement.excluded[k] for k in columns if k not in keys and k not in keep}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), list(by_key.values()))


def chunks(values: Sequence[T], size: int = IDS_PER_QUERY) -> Iterator[list[T]]:
    """The values in lists of at most `size`, one IN (…) query each."""
    for start in range(0, len(values), size):
        yield list(values[start:start + size])
