"""The circuit-breaker table of the pipeline store: one row per named dependency, shared by every process."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware (SQLite keeps no offset, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class BreakerRow(SQLModel, table=True):
    """One dependency's circuit breaker: its state, its failure counters and its half-open probe."""

    __tablename__ = "circuit_breakers"

    name: str = Field(primary_key=True, max_length=200)
    state: str = Field(default=CLOSED, max_length=16, description="closed, open or half_open")
    consecutive_failures: int = Field(default=0, description="transient failures since the last success")
    window_started_at: datetime = Field(sa_type=UTCDateTime, description="start of the current failure-rate window")
    window_calls: int = Field(default=0, description="calls finished in the current window")
    window_failures: int = Field(default=0, description="transient failures in the current window")
    opened_until: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                          description="open: calls fail fast until then")
    probe_in_flight: bool = Field(default=False, description="half-open: one call is trying the dependency")
    probe_id: str | None = Field(default=None, max_length=32, description="which caller holds the probe")
    probe_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
