"""Fault injection plan and request log shared by the stub HTTP servers."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import StrEnum

OK = "ok"
ERROR = "error"  # a non-injected answer with status >= 400 (e.g. 422, 401, 404)


class Fault(StrEnum):
    """What a stub server does to one request instead of answering it normally."""

    RATE_LIMIT = "rate_limit"  # 429 with a Retry-After header
    SERVER_ERROR = "server_error"  # 500
    SLOW = "slow"  # sleep FaultPlan.slow_seconds, then answer normally
    GARBAGE = "garbage"  # 200 whose content is not valid JSON
    DROP = "drop"  # close the socket without any response
    BAD_REQUEST = "bad_request"  # 400 with an error body
    UNAUTHORIZED = "unauthorized"  # 401 whose error body echoes the credential sent, as some providers' do


@dataclass
class _Queued:
    fault: Fault
    times: int
    match: str | None


class FaultPlan:
    """Thread-safe schedule of faults, added latency and a hold gate for incoming requests."""

    def __init__(self, retry_after: float = 1, slow_seconds: float = 5) -> None:
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.latency = 0.0
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._queue: list[_Queued] = []
        self._ok_left: int | None = None
        self._rng: random.Random | None = None
        self._rate = 0.0
        self._kinds: dict[Fault, float] = {}

    def push(self, fault: Fault | str, times: int = 1, match: str | None = None) -> None:
        """Fail the next `times` requests whose key contains `match` (any key when None)."""
        with self._lock:
            self._queue.append(_Queued(Fault(fault), times, match))

    def random_mix(self, rate: float, kinds: dict[Fault, float], seed: int) -> None:
        """Fail each request not hit by a pushed fault with probability `rate`, kind drawn by weight."""
        with self._lock:
            self._rng = random.Random(seed)
            self._rate = rate
            self._kinds = {Fault(kind): weight for kind, weight in kinds.items()}

    def hold(self) -> None:
        """Block new requests at the gate until `release()`."""
        self._open.clear()

    def release(self) -> None:
        """Let held and future requests through."""
        self._open.set()

    def hold_after(self, n: int) -> None:
        """Hold automatically once `n` more requests have completed OK."""
        with self._lock:
            self._ok_left = n if n > 0 else None
        if n <= 0:
            self.hold()

    @property
    def held(self) -> bool:
        return not self._open.is_set()

    def clear(self) -> None:
        """Drop queued faults, the random mix, the hold and the latency."""
        with self._lock:
            self._queue.clear()
            self._ok_left = None
            self._rng = None
            self._kinds = {}
            self.latency = 0.0
        self.release()

    def wait_gate(self) -> None:
        """Block the calling request thread while the plan is held."""
        self._open.wait()

    def draw(self, key: str) -> Fault | None:
        """Pick the fault for a request with this key, or None to answer normally."""
        with self._lock:
            for queued in self._queue:
                if queued.match is None or queued.match in key:
                    queued.times -= 1
                    if queued.times <= 0:
                        self._queue.remove(queued)
                    return queued.fault
            if self._rng is not None and self._kinds and self._rng.random() < self._rate:
                return self._rng.choices(list(self._kinds), weights=list(self._kinds.values()))[0]
            return None

    def note_ok(self) -> None:
        """Count one request answered OK, closing the gate when `hold_after` is reached."""
        with self._lock:
            if self._ok_left is None:
                return
            self._ok_left -= 1
            if self._ok_left > 0:
                return
            self._ok_left = None
        self.hold()


@dataclass(frozen=True)
class RequestRecord:
    """One request to a main endpoint; `outcome` is "ok", "error" or a Fault value."""

    key: str
    fingerprint: str
    outcome: str
    status: int | None
    started: float
    finished: float
    concurrent_at_start: int


class RequestLog:
    """Thread-safe list of request records with the queries tests need."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._in_flight = 0

    def begin(self) -> int:
        """Mark a request as started; returns the number in flight including it."""
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def add(self, record: RequestRecord) -> None:
        """Store a finished request (started with `begin`)."""
        with self._lock:
            self._in_flight -= 1
            self._records.append(record)

    @property
    def in_flight(self) -> int:
        """Requests started but not yet logged, including held ones."""
        return self._in_flight

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def ok(self) -> list[RequestRecord]:
        return [r for r in self.records if r.outcome == OK]

    def count(self, outcome: str | None = None, key: str | None = None) -> int:
        """Number of records with this outcome and exactly this key (None matches any)."""
        return sum(
            1
            for r in self.records
            if (outcome is None or r.outcome == outcome) and (key is None or r.key == key)
        )

    def repeated_ok(self) -> dict[str, int]:
        """Fingerprints of identical requests answered OK more than once, with their counts."""
        counts: dict[str, int] = {}
        for record in self.ok():
            counts[record.fingerprint] = counts.get(record.fingerprint, 0) + 1
        return {fp: n for fp, n in counts.items() if n > 1}

    def peak_concurrency(self, key: str | None = None) -> int:
        """Most requests (with this key) overlapping in time, from their start/finish times."""
        events = sorted(
            (t, delta)
            for r in self.records
            if key is None or r.key == key
            for t, delta in ((r.started, 1), (r.finished, -1))
        )
        peak = current = 0
        for _, delta in events:  # at equal times -1 sorts first: touching intervals don't overlap
            current += delta
            peak = max(peak, current)
        return peak

    def faults_by_kind(self) -> dict[str, int]:
        """Number of injected faults per Fault value."""
        counts: dict[str, int] = {}
        for record in self.records:
            if record.outcome not in (OK, ERROR):
                counts[record.outcome] = counts.get(record.outcome, 0) + 1
        return counts

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
