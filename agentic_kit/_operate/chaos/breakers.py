"""Open circuit breakers in a session's store, and waiting for them before the next run.

The kit keeps each dependency's breaker in the store (agentic_kit/_blocks/resilience/circuit_breaker.py), shared
by every run of the session. A breaker opened by the faults stays open for its reset time (30 s by default), and a
run started meanwhile fails its items at once with CircuitOpen: dead letters, not work a kill could interrupt. So
before each rerun the session waits (capped) until the open breakers let a probe through.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import BREAKER_OPEN, BreakerRow


def open_breakers(database_url: str) -> dict[str, datetime]:
    """The breakers open now, with the moment each lets a probe through."""
    store = PipelineStore(database_url=SecretStr(database_url))
    with Session(store.engine()) as session:
        rows = session.exec(select(BreakerRow).where(BreakerRow.state == BREAKER_OPEN)).all()
    return {row.name: _utc(row.opened_until) for row in rows if row.opened_until is not None}


def wait_for_breakers(database_url: str, cap_seconds: float, say: Callable[[str], None]) -> float:
    """Wait until the open breakers let a probe through (at most cap_seconds); the seconds waited."""
    open_until = open_breakers(database_url)
    if not open_until:
        return 0.0
    left = (max(open_until.values()) - datetime.now(UTC)).total_seconds()
    seconds = min(cap_seconds, max(0.0, left) + 0.5)
    say(f"waiting {seconds:.0f} s for the open circuit breakers ({', '.join(sorted(open_until))}) "
        "to let a probe through")
    time.sleep(seconds)
    return seconds


def _utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
