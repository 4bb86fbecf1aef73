"""The circuit breaker: its state machine on SQLite, and two worker processes sharing one breaker
(same SQLite file; PostgreSQL when one answers on 127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session

from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings, CircuitBreaker
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import BreakerRow
from agentic_kit._domain.errors import CircuitOpen, RequestRejected, UpstreamUnavailable
from agentic_kit._domain.events import CIRCUIT_CLOSED, CIRCUIT_HALF_OPEN, CIRCUIT_OPENED
from tests.conftest import run_python
from tests.support.breaker_worker import CALLS_PER_PHASE, PHASES, SETTINGS, WORKERS
from tests.support.postgres import postgres_database

NO_RATE = {"min_calls": 1000}
"""Settings that leave only the consecutive-failure rule."""


class Dependency:
    """A stand-in for a remote dependency: counts its calls, takes its time, answers or raises as told."""

    def __init__(self, error: Exception | None = None, seconds: float = 0.0,
                 hold: asyncio.Event | None = None) -> None:
        self.error, self.seconds, self.hold, self.calls = error, seconds, hold, 0

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.seconds)
        if self.hold is not None:  # answer only once the test has seen every other call decided
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.hold.wait(), timeout=5)
        if self.error is not None:
            raise self.error
        return "ok"


@pytest.fixture
def store() -> PipelineStore:
    """The test's own SQLite store (AGENTIC_DATABASE_URL, set per test by conftest)."""
    return PipelineStore.from_environment()


def _breaker(store: PipelineStore, **settings: Any) -> CircuitBreaker:
    return CircuitBreaker(f"test-{uuid.uuid4().hex[:10]}", BreakerSettings(**settings), store)


def _row(store: PipelineStore, name: str) -> BreakerRow:
    with Session(store.engine()) as session:
        row = session.get(BreakerRow, name)
    assert row is not None
    return row


async def _fail(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(UpstreamUnavailable):
            await breaker.call(Dependency(UpstreamUnavailable("503")))


async def _after_reset(store: PipelineStore, name: str) -> None:
    until = _row(store, name).opened_until
    assert until is not None
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.05)


async def _transitions(name: str, expected: dict[str, int], timeout: float = 20.0) -> dict[str, list[Any]]:
    """The breaker's transition events the server stored, once `expected` arrived (read once more for extras)."""
    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    query = EventFilter(event=EventNameFilter(prefix=["agentic.circuit."]),
                        resource=EventResourceFilter(id=[f"agentic.dependency.{name}"]))
    deadline = asyncio.get_running_loop().time() + timeout
    settled = False
    async with get_client() as client:
        while True:
            page = await client.read_events(filter=query, limit=50)
            found: dict[str, list[Any]] = {event: [] for event in expected}
            for event in sorted(page.events, key=lambda e: e.occurred):
                found.setdefault(event.event, []).append(event)
            arrived = all(len(found[event]) >= count for event, count in expected.items())
            if (arrived and settled) or asyncio.get_running_loop().time() > deadline:
                return found
            settled = arrived
            await asyncio.sleep(0.5 if arrived else 0.3)


async def test_consecutive_transient_failures_open_it_and_then_calls_fail_fast(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=3, **NO_RATE)
    await _fail(breaker, 2)
    assert await breaker.state() == "closed"
    await _fail(breaker)
    assert await breaker.state() == "open"

    dependency = Dependency()
    with pytest.raises(CircuitOpen) as raised:
        await breaker.call(dependency)
    row = _row(store, breaker.name)
    assert dependency.calls == 0, "an open breaker does not call the dependency"
    assert (raised.value.dependency, raised.value.until) == (breaker.name, row.opened_until)
    assert breaker.name in str(raised.value) and row.opened_until.isoformat() in str(raised.value)
    assert row.consecutive_failures == 3

    events = await _transitions(breaker.name, {CIRCUIT_OPENED: 1})
    assert [e.payload["failures"] for e in events[CIRCUIT_OPENED]] == [3]
    assert events[CIRCUIT_OPENED][0].payload["until"] == row.opened_until.isoformat()


async def test_a_permanent_error_does_not_count_as_a_failure(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=2, min_calls=2)
    for _ in range(5):
        with pytest.raises(RequestRejected):
            await breaker.call(Dependency(RequestRejected("400 bad request")))
    row = _row(store, breaker.name)
    assert (row.state, row.consecutive_failures, row.window_failures, row.window_calls) == ("closed", 0, 0, 5)
    assert await breaker.call(Dependency()) == "ok"


async def test_a_failure_rate_over_the_window_opens_it(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=100, failure_rate=0.5, min_calls=10, window_seconds=60)
    for _ in range(4):
        assert await breaker.call(Dependency()) == "ok"
        await _fail(breaker)
    assert await breaker.call(Dependency()) == "ok"
    assert await breaker.state() == "closed", "9 calls are fewer than min_calls"
    await _fail(breaker)
    row = _row(store, breaker.name)
    assert (row.state, row.window_calls, row.window_failures, row.consecutive_failures) == ("open", 10, 5, 1)


async def test_after_the_reset_exactly_one_probe_runs_and_its_success_closes_it(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=1, reset_seconds=1.0, **NO_RATE)
    await _fail(breaker)
    await _after_reset(store, breaker.name)

    everyone_decided = asyncio.Event()
    dependency = Dependency(hold=everyone_decided)
    turned_away = 0

    async def one_call() -> str:
        nonlocal turned_away
        try:
            return await breaker.call(dependency)
        except CircuitOpen:
            turned_away += 1
            if turned_away == 7:
                everyone_decided.set()
            raise

    outcomes = await asyncio.gather(*(one_call() for _ in range(8)), return_exceptions=True)
    assert dependency.calls == 1, "one probe; the others failed fast"
    assert outcomes.count("ok") == 1 and sum(isinstance(o, CircuitOpen) for o in outcomes) == 7
    row = _row(store, breaker.name)
    assert (row.state, row.consecutive_failures, row.probe_in_flight) == ("closed", 0, False)


async def test_a_failed_probe_opens_it_again_until_a_new_time(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=1, reset_seconds=0.3, **NO_RATE)
    await _fail(breaker)
    first_until = _row(store, breaker.name).opened_until
    await _after_reset(store, breaker.name)
    await _fail(breaker)  # the probe

    row = _row(store, breaker.name)
    assert row.state == "open" and row.opened_until > first_until and row.consecutive_failures == 2
    dependency = Dependency()
    with pytest.raises(CircuitOpen) as raised:
        await breaker.call(dependency)
    assert dependency.calls == 0 and raised.value.until == row.opened_until


async def test_a_stuck_probe_is_replaced_after_the_reset_time(store: PipelineStore) -> None:
    breaker = _breaker(store, failure_threshold=1, reset_seconds=0.5, **NO_RATE)
    await _fail(breaker)
    await _after_reset(store, breaker.name)
    slow = Dependency(UpstreamUnavailable("503"), seconds=1.5)
    stuck = asyncio.create_task(breaker.call(slow))
    while slow.calls == 0:
        await asyncio.sleep(0.01)
    with pytest.raises(CircuitOpen):
        await breaker.call(Dependency())
    await asyncio.sleep(0.5)
    assert await breaker.call(Dependency()) == "ok", "the probe older than reset_seconds was replaced"
    with pytest.raises(UpstreamUnavailable):
        await stuck
    row = _row(store, breaker.name)
    assert (row.state, row.consecutive_failures) == ("closed", 0), "the replaced probe decides nothing"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database both worker processes use."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        yield from postgres_database()


async def _files(paths: list[Path], timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not all(path.exists() for path in paths):
        assert asyncio.get_running_loop().time() < deadline, f"waiting for {paths}"
        await asyncio.sleep(0.02)


async def test_two_processes_share_one_breaker(shared_url: str, tmp_path: Path) -> None:
    """2 processes x 20 concurrent calls per phase: 40 failures counted 40 times and the breaker opens
    once; then, twice, 40 calls at once when half-open run the dependency once (one probe in all)."""
    store = PipelineStore(database_url=SecretStr(shared_url))
    name = f"shared-{uuid.uuid4().hex[:10]}"
    assert await CircuitBreaker(name, SETTINGS, store).state() == "closed"  # the bootstrap: table and row
    workers = [str(w) for w in range(WORKERS)]
    results: dict[str, list[dict[str, Any]]] = {}
    rows: dict[str, BreakerRow] = {}

    async def coordinate() -> None:
        for phase in PHASES:
            await _files([tmp_path / f"ready-{phase}-{w}" for w in workers])
            if phase != "fail":
                await _after_reset(store, name)
            (tmp_path / f"go-{phase}").touch()
            outputs = [tmp_path / f"result-{phase}-{w}.json" for w in workers]
            await _files(outputs)
            results[phase] = [json.loads(path.read_text()) for path in outputs]
            rows[phase] = _row(store, name)

    *runs, _ = await asyncio.gather(*(
        asyncio.to_thread(run_python, "-m", "tests.support.breaker_worker", shared_url, name, str(tmp_path), w,
                          timeout=120) for w in workers), coordinate())
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]

    def total(phase: str, key: str) -> int:
        return sum(result[key] for result in results[phase])

    calls = WORKERS * CALLS_PER_PHASE
    assert all(not r["other"] for phase in PHASES for r in results[phase]), results
    assert (total("fail", "invocations"), total("fail", "failed"), total("fail", "circuit_open")) == (calls, calls, 0)
    opened = rows["fail"]
    assert (opened.state, opened.consecutive_failures, opened.window_calls, opened.window_failures) == (
        "open", calls, calls, calls), "every failure counted once, none lost"

    assert (total("probe_fails", "invocations"), total("probe_fails", "circuit_open")) == (1, calls - 1)
    reopened = rows["probe_fails"]
    assert (reopened.state, reopened.consecutive_failures) == ("open", calls + 1)
    assert reopened.opened_until > opened.opened_until

    assert (total("probe_succeeds", "invocations"), total("probe_succeeds", "succeeded")) == (1, 1)
    assert total("probe_succeeds", "circuit_open") == calls - 1
    closed = rows["probe_succeeds"]
    assert (closed.state, closed.consecutive_failures, closed.probe_in_flight) == ("closed", 0, False)

    events = await _transitions(name, {CIRCUIT_OPENED: 2, CIRCUIT_HALF_OPEN: 2, CIRCUIT_CLOSED: 1})
    assert {event: len(found) for event, found in events.items()} == {
        CIRCUIT_OPENED: 2, CIRCUIT_HALF_OPEN: 2, CIRCUIT_CLOSED: 1}, "one event per transition"
    assert [e.payload["failures"] for e in events[CIRCUIT_OPENED]] == [calls, calls + 1]
    print(f"\n{shared_url.split(':')[0]}: {WORKERS} processes, {3 * calls} calls, "
          f"{total('fail', 'invocations')} failures counted {opened.consecutive_failures}, "
          f"probes run {total('probe_fails', 'invocations')}+{total('probe_succeeds', 'invocations')}, "
          f"events " + ", ".join(f"{event} x{len(found)}" for event, found in events.items()))
