"""A worker process for the shared circuit-breaker test: many concurrent calls per phase, in lock step.

Run as `python -m tests.blocks.breaker_worker DATABASE_URL BREAKER WORKDIR WORKER_ID`. For each phase
it writes `ready-<phase>-<worker>` in WORKDIR, waits for the test to write `go-<phase>`, makes
CALLS_PER_PHASE calls at once through the breaker, and writes what happened to
`result-<phase>-<worker>.json`. In the half-open phases a call that reaches the dependency (the probe)
holds until every call of every worker is either turned away or running (`settled-<phase>-<worker>`),
so no call can slip in after the probe decided, however slow the machine.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings, CircuitBreaker
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import CircuitOpen, UpstreamUnavailable

CALLS_PER_PHASE = 20
WORKERS = 2
SETTINGS = BreakerSettings(failure_threshold=CALLS_PER_PHASE * WORKERS, min_calls=1000, reset_seconds=2)
"""Opens exactly when every call of the first phase, in both processes, has failed; rate never trips."""
PHASES = {"fail": True, "probe_fails": True, "probe_succeeds": False}
"""phase: whether the dependency fails."""
FAIL_SECONDS = 0.2
"""How long a failing call of the first phase takes."""
GO_TIMEOUT_SECONDS = 45
HOLD_TIMEOUT_SECONDS = 10


async def _files(paths: list[Path], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not all(path.exists() for path in paths):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def _phase(breaker: CircuitBreaker, phase: str, workdir: Path, worker: str) -> dict[str, object]:
    (workdir / f"ready-{phase}-{worker}").touch()
    if not await _files([workdir / f"go-{phase}"], GO_TIMEOUT_SECONDS):
        raise TimeoutError(f"no go for phase {phase}")
    fails, half_open = PHASES[phase], phase != "fail"
    invocations = turned_away = 0

    def settle() -> None:
        if invocations + turned_away == CALLS_PER_PHASE:
            (workdir / f"settled-{phase}-{worker}").touch()

    async def dependency() -> str:
        nonlocal invocations
        invocations += 1
        settle()
        if half_open:  # the probe: hold until nobody anywhere is still being admitted
            await _files([workdir / f"settled-{phase}-{w}" for w in range(WORKERS)], HOLD_TIMEOUT_SECONDS)
        else:
            await asyncio.sleep(FAIL_SECONDS)
        if fails:
            raise UpstreamUnavailable("injected 503")
        return "ok"

    async def one_call() -> str:
        nonlocal turned_away
        try:
            return await breaker.call(dependency)
        except CircuitOpen:
            turned_away += 1
            settle()
            raise

    outcomes = await asyncio.gather(*(one_call() for _ in range(CALLS_PER_PHASE)), return_exceptions=True)
    return {
        "invocations": invocations,
        "succeeded": sum(o == "ok" for o in outcomes),
        "failed": sum(isinstance(o, UpstreamUnavailable) for o in outcomes),
        "circuit_open": sum(isinstance(o, CircuitOpen) for o in outcomes),
        "other": [repr(o) for o in outcomes if o != "ok" and not isinstance(o, UpstreamUnavailable | CircuitOpen)],
    }


async def main(url: str, name: str, workdir: Path, worker: str) -> None:
    breaker = CircuitBreaker(name, SETTINGS, PipelineStore(database_url=SecretStr(url)))
    for phase in PHASES:
        result = await _phase(breaker, phase, workdir, worker)
        written = workdir / f"result-{phase}-{worker}.part"
        written.write_text(json.dumps(result))
        written.rename(workdir / f"result-{phase}-{worker}.json")  # appears whole to the test


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]))
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=20)
