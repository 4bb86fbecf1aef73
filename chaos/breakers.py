"""Circuit-breaker openings during a session: watched in the store, and counted from the Prefect API's events.

The store keeps each breaker's current state only (agentic_kit/_blocks/tables.py), so a watcher polls it: every
opening writes a new `opened_until`, and a breaker stays open for `reset_seconds` (30 s), far longer than a
poll. The `agentic.circuit.opened` events say the same from the Prefect side; one emitted just before a
SIGKILL may never leave the killed process, so the events may count fewer. Waiting for open breakers before a
run is the kit's (agentic_kit/_operate/chaos/breakers.py).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import httpx

from agentic_kit._domain.events import CIRCUIT_OPENED, DEPENDENCY_RESOURCE_PREFIX

WATCH_SECONDS = 0.25
EVENTS_SETTLE_SECONDS = 2.0
EVENTS_WAIT_SECONDS = 15.0
"""How long to wait for the server to store the last events: until the count holds still for the settle time."""


class BreakerWatch:
    """Polls the circuit_breakers table of a SQLite store in a thread; each new (breaker, opened_until) is an opening."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._seen: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="chaos-breaker-watch", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()

    def openings(self) -> Counter[str]:
        """Openings seen so far, by breaker name."""
        return Counter(name for name, _ in sorted(self._seen))

    def poll(self) -> None:
        """Read the table once (a missing store or table is no opening yet)."""
        if not self.database.exists():
            return
        try:
            with sqlite3.connect(self.database, timeout=5) as connection:
                rows = connection.execute(
                    "SELECT name, opened_until FROM circuit_breakers "
                    "WHERE state IN ('open', 'half_open') AND opened_until IS NOT NULL").fetchall()
        except sqlite3.OperationalError:
            return
        self._seen.update((str(name), str(until)) for name, until in rows)

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            self.poll()


def _api_auth() -> tuple[str, str] | None:
    """The basic-auth pair PREFECT_API_AUTH_STRING names, as Prefect's own client sends it (None when unset)."""
    auth = os.environ.get("PREFECT_API_AUTH_STRING")
    if not auth:
        return None
    user, _, password = auth.partition(":")
    return user, password


def _count_events(api_url: str, since: datetime) -> int:
    body: dict[str, Any] = {
        "filter": {"occurred": {"since": since.isoformat()}, "event": {"name": [CIRCUIT_OPENED]},
                   "resource": {"id_prefix": [DEPENDENCY_RESOURCE_PREFIX]}},
        "limit": 1,
    }
    response = httpx.post(f"{api_url.rstrip('/')}/events/filter", json=body, timeout=30, auth=_api_auth())
    response.raise_for_status()
    return int(response.json()["total"])


def opened_events(api_url: str, since: datetime) -> int:
    """`agentic.circuit.opened` events the Prefect server stored since a moment, once their count holds still."""
    deadline = time.monotonic() + EVENTS_WAIT_SECONDS
    count = _count_events(api_url, since)
    while time.monotonic() < deadline:
        time.sleep(EVENTS_SETTLE_SECONDS)
        again = _count_events(api_url, since)
        if again == count:
            break
        count = again
    return count
