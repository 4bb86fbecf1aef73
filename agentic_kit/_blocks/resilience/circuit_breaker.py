"""A circuit breaker per named dependency, its state shared by every process through the pipeline store.

closed -> open after `failure_threshold` consecutive transient failures, or when at least `min_calls`
calls finished in the current window of `window_seconds` and `failure_rate` or more of them failed.
open -> half_open once `reset_seconds` have passed: exactly one caller, across all processes, becomes
the probe. Its success closes the breaker; its transient failure opens it again for `reset_seconds`.
While open, and while half-open with a probe in flight, calls fail fast with `CircuitOpen` without
calling the dependency. A probe older than `reset_seconds` (its process died) may be replaced.
Only transient errors (`agentic_kit._domain.errors.is_transient`) count as failures: a permanent error means the
dependency answered, so it counts as a success.

Atomicity: every change is a conditional UPDATE (compare-and-set) whose WHERE clause names the state
it expects (`state = 'open' AND opened_until <= now`, `state = 'half_open' AND probe_id = :mine`,
`state = 'closed' AND consecutive_failures >= :threshold` ...), and counters are incremented in SQL
(`x = x + 1`), never read, changed and written back from Python. The statement that matched the row
(RETURNING gives a row back) won the transition, and only that process emits its event; no row back
means another process got there first. This is plain SQL that behaves the same on both databases:
SQLite runs one write transaction at a time (the store's busy timeout makes the others wait), and
PostgreSQL locks the row for the UPDATE and, when a concurrent UPDATE made it wait, re-checks the
WHERE clause against the newly committed row (READ COMMITTED), so no increment is lost and no two
processes both win `open -> half_open`. Plain SELECTs only choose which UPDATE to try. That is why
neither SELECT ... FOR UPDATE (PostgreSQL only) nor BEGIN IMMEDIATE (SQLite only) is needed.

Each process keeps a local view of a breaker's row (`_LocalView`, one per store and name): while its last look,
at most VIEW_SECONDS old, saw the breaker closed with no failure counted, a call is let through and its success
counted in memory, with no SQL and no thread hop; the successes go to the store with the next write (a failure, or
the first success after VIEW_SECONDS, which also refreshes the view). Failures, probes and every state change are
written at once, as above, so a breaker another process opened reaches this one within VIEW_SECONDS and exactly one
probe still runs across all processes.

pybreaker, aiobreaker and purgatory were read first: their storages set fields one at a time (read,
modify, write) and let any number of callers through half-open in other processes, so they cannot
give these guarantees on top of SQL; this module stays small instead. Time is the caller's UTC clock:
processes on several machines need synchronized clocks.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from prefect.events import emit_event
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, and_, case, literal, or_, select, update

from agentic_kit._blocks.sql import UTCDateTime, dialect_insert, utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import BREAKER_CLOSED as CLOSED
from agentic_kit._blocks.tables import BREAKER_HALF_OPEN as HALF_OPEN
from agentic_kit._blocks.tables import BREAKER_OPEN as OPEN
from agentic_kit._blocks.tables import BreakerRow
from agentic_kit._domain.errors import CircuitOpen, is_transient
from agentic_kit._domain.events import CIRCUIT_CLOSED, CIRCUIT_HALF_OPEN, CIRCUIT_OPENED, DEPENDENCY_RESOURCE_PREFIX

T = TypeVar("T")
TABLE = BreakerRow.__table__  # type: ignore[attr-defined]
C = TABLE.c


class BreakerSettings(BaseModel):
    """When a breaker opens and how long it stays open."""

    failure_threshold: int = Field(default=5, ge=1, description="consecutive transient failures that open it")
    failure_rate: float = Field(default=0.5, gt=0, le=1,
                                description="share of failed calls in one window that opens it (at or above)")
    min_calls: int = Field(default=10, ge=1, description="calls a window needs before its failure rate counts")
    window_seconds: float = Field(default=60, gt=0, description="length of the failure-rate window")
    reset_seconds: float = Field(default=30, gt=0,
                                 description="how long it stays open before one probe call may try again")


@dataclass(frozen=True)
class _Transition:
    """A state change this process won, to announce once."""

    event: str
    state: str
    failures: int
    until: datetime | None


VIEW_SECONDS = 0.5
"""How long a process trusts its last look at a closed breaker before it reads (or writes) the store again."""


@dataclass
class _LocalView:
    """This process's last look at one breaker's row and the successes it has not written yet."""

    row: Any = None
    seen_at: float = 0.0  # time.monotonic() of the look
    unwritten_successes: int = 0
    row_ready: bool = False  # the row exists in the store
    lock: threading.Lock = field(default_factory=threading.Lock)

    def closed_and_fresh(self) -> bool:
        """Whether the last look, recent enough, saw the breaker closed with no failure counted."""
        return (self.row is not None and self.row.state == CLOSED and self.row.consecutive_failures == 0
                and time.monotonic() - self.seen_at < VIEW_SECONDS)

    def see(self, row: Any) -> None:
        """Remember the row as it is now (None: look again before the next call)."""
        self.row, self.seen_at = row, time.monotonic()

    def take_successes(self) -> int:
        """The successes not yet written, now handed to a write."""
        with self.lock:
            taken, self.unwritten_successes = self.unwritten_successes, 0
        return taken

    def count_success(self) -> None:
        with self.lock:
            self.unwritten_successes += 1


_views: dict[tuple[str, str], _LocalView] = {}
_views_lock = threading.Lock()


def _view_of(store: PipelineStore, name: str) -> _LocalView:
    """The process's view of the named breaker in this store."""
    key = (store.database_url.get_secret_value(), name)
    with _views_lock:
        return _views.setdefault(key, _LocalView())


def _at(moment: datetime) -> Any:
    """A timestamp as a SQL literal of the table's timestamp type."""
    return literal(moment, UTCDateTime())


class CircuitBreaker:
    """Fails calls to a named dependency fast while it is failing; state shared through the store."""

    def __init__(self, name: str, settings: BreakerSettings, store: PipelineStore) -> None:
        self.name = name
        self.settings = settings
        self.store = store
        self.resource = {"prefect.resource.id": f"{DEPENDENCY_RESOURCE_PREFIX}{name}"}
        self._view = _view_of(store, name)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run fn unless the breaker is open (then raise CircuitOpen), and record how it went."""
        probe_id: str | None = None
        if not self._view.closed_and_fresh():
            probe_id, transition = await asyncio.to_thread(self._admit)
            self._emit(transition)
        try:
            result = await fn()
        except Exception as exc:
            self._emit(await asyncio.to_thread(self._record, probe_id, is_transient(exc)))
            raise
        except BaseException:
            if probe_id is not None:
                await asyncio.to_thread(self._release, probe_id)
            raise
        if probe_id is None and self._view.closed_and_fresh():
            self._view.count_success()
        else:
            self._emit(await asyncio.to_thread(self._record, probe_id, False))
        return result

    async def state(self) -> str:
        """The stored state: closed, open or half_open (open turns half_open at the next call after the reset)."""
        return await asyncio.to_thread(lambda: self._read(self._engine()).state)

    def _engine(self) -> Engine:
        """The store's engine, with this breaker's row present."""
        engine = self.store.engine()
        if not self._view.row_ready:
            now = utc_now()
            with engine.begin() as conn:
                conn.execute(dialect_insert(engine, TABLE).values(name=self.name, state=CLOSED, window_started_at=now,
                                                                  updated_at=now).on_conflict_do_nothing())
            self._view.row_ready = True
        return engine

    def _read(self, engine: Engine) -> Any:
        with engine.connect() as conn:
            return conn.execute(select(TABLE).where(C.name == self.name)).one()

    def _update(self, conn: Connection, *where: Any, **values: Any) -> Any:
        """Compare-and-set: apply values if the row still matches where; the new row, or None if it did not."""
        statement = (update(TABLE).where(C.name == self.name, *where)
                     .values(**values).returning(*TABLE.c))
        return conn.execute(statement).first()

    def _admit(self) -> tuple[str | None, _Transition | None]:
        """Let a call through (as the probe when half-open: its probe id), or raise CircuitOpen."""
        engine = self._engine()
        reset = timedelta(seconds=self.settings.reset_seconds)
        row = None
        for _ in range(3):
            row, now = self._read(engine), utc_now()
            self._view.see(row)
            if row.state == CLOSED:
                return None, None
            if row.state == OPEN and row.opened_until > now:
                raise CircuitOpen(self.name, row.opened_until)
            if row.state == HALF_OPEN and row.probe_in_flight and row.probe_started_at > now - reset:
                raise CircuitOpen(self.name, row.probe_started_at + reset)
            probe = uuid.uuid4().hex
            claim = {"probe_in_flight": True, "probe_id": probe, "probe_started_at": now, "updated_at": now}
            with engine.begin() as conn:
                if row.state == OPEN:
                    won = self._update(conn, C.state == OPEN, C.opened_until <= _at(now), state=HALF_OPEN, **claim)
                    if won is not None:
                        return probe, _Transition(CIRCUIT_HALF_OPEN, HALF_OPEN, won.consecutive_failures, None)
                else:  # half-open with no probe, or a probe stuck past reset_seconds
                    free = or_(C.probe_in_flight.is_(False), C.probe_started_at <= _at(now - reset))
                    if self._update(conn, C.state == HALF_OPEN, free, **claim) is not None:
                        return probe, None
        until = row.opened_until if row is not None and row.opened_until else utc_now() + reset
        raise CircuitOpen(self.name, until)

    def _record(self, probe_id: str | None, failed: bool) -> _Transition | None:
        """Count a finished call; a probe's outcome closes or re-opens the breaker."""
        s, now = self.settings, utc_now()
        until = now + timedelta(seconds=s.reset_seconds)
        cleared = {"probe_in_flight": False, "probe_id": None, "probe_started_at": None, "updated_at": now}
        with self._engine().begin() as conn:
            if probe_id is not None:
                mine = (C.state == HALF_OPEN, C.probe_id == probe_id)
                if failed:
                    row = self._seen(self._update(conn, *mine, state=OPEN, opened_until=until,
                                                  consecutive_failures=C.consecutive_failures + 1, **cleared))
                    return None if row is None else _Transition(CIRCUIT_OPENED, OPEN, row.consecutive_failures, until)
                row = self._seen(self._update(conn, *mine, state=CLOSED, opened_until=None, consecutive_failures=0,
                                              window_started_at=now, window_calls=0, window_failures=0, **cleared))
                return None if row is None else _Transition(CIRCUIT_CLOSED, CLOSED, 0, None)
            expired = C.window_started_at <= _at(now - timedelta(seconds=s.window_seconds))
            failure, calls = int(failed), 1 + self._view.take_successes()
            counted = self._seen(self._update(
                conn, C.state == CLOSED, updated_at=now,
                consecutive_failures=C.consecutive_failures + 1 if failed else 0,
                window_started_at=case((expired, _at(now)), else_=C.window_started_at),
                window_calls=case((expired, calls), else_=C.window_calls + calls),
                window_failures=case((expired, failure), else_=C.window_failures + failure),
            ))
            if counted is None or not failed:  # not closed any more: only the probe decides now
                return None
            tripped = or_(C.consecutive_failures >= s.failure_threshold,
                          and_(C.window_calls >= s.min_calls,
                               C.window_failures >= literal(s.failure_rate) * C.window_calls))
            row = self._seen(self._update(conn, C.state == CLOSED, tripped, state=OPEN, opened_until=until,
                                          updated_at=now))
            return None if row is None else _Transition(CIRCUIT_OPENED, OPEN, row.consecutive_failures, until)

    def _seen(self, row: Any) -> Any:
        """The row a write returned, now this process's view (none: the next call reads it first)."""
        self._view.see(row)
        return row

    def _release(self, probe_id: str) -> None:
        """A cancelled probe decides nothing: let the next caller probe."""
        now = utc_now()
        with self._engine().begin() as conn:
            self._update(conn, C.state == HALF_OPEN, C.probe_id == probe_id, probe_in_flight=False,
                         probe_id=None, probe_started_at=None, updated_at=now)

    def _emit(self, transition: _Transition | None) -> None:
        """Announce a transition this process won, as a Prefect event on agentic.dependency.<name>."""
        if transition is None:
            return
        emit_event(event=transition.event, resource=self.resource, payload={
            "breaker": self.name, "state": transition.state, "failures": transition.failures,
            "until": transition.until.isoformat() if transition.until else None,
        })
