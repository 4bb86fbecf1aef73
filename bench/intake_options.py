"""Ways to start a delivered document, side by side: delivery to Running for each, and what each guarantees.

`python -m bench --intake` (alone) and `make bench` (`intake`: the runner as the project runs it, beside the served
reference) send the same signed deliveries through the same gateway and the same prefect.yaml trigger to:

- `served`: the deployment served from its entrypoint (bench/served_intake.py, runner poll 1 s), each run in a new
  `python -m prefect.engine` process, as a worker starts it: `delivery_to_running` of bench/delivery_latency.py;
- `in_process_1s` and `in_process_0.25s`: `agentic runner` (bench/intake_runner.py), one long-lived process that
  has imported the pipeline, claims due runs by proposing Pending and runs them with Prefect's engine in its own
  event loop;
- `background_task` (`--intake` only): Prefect's background tasks (bench/background_intake.py): each delivery's event
  relayed as `.delay()` of a task that runs the pipeline, pushed to Prefect's task worker over a websocket.

Then three checks of the in-process runner's guarantees: two runners polling one deployment under a burst of
deliveries (each delivery one run, each run started once), a SIGKILL of the runner while a run is Running with the
project's "run lost its process" automation on (the run ends Crashed), and a retry of that Crashed run (a new
runner finishes it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import httpx
from prefect import get_client
from prefect.automations import Automation
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.responses import OrchestrationResult
from prefect.states import AwaitingRetry

from agentic_kit._domain.settings import Settings
from agentic_kit._operate.automations import NotificationBlocks, automations
from bench.background_intake import background_tasks, ready_child
from bench.delivery_latency import (
    DELIVERIES,
    FLOW_NAME,
    SPACING_SECONDS,
    delivery_to_running,
    measure_deliveries,
    send,
    wait_for_runs,
)
from bench.gateway_load import gateway_process
from bench.runs import REPO_ROOT, Session
from bench.served_intake import DEPLOYMENT

POLLS = (1.0, 0.25)
"""Poll intervals of the in-process runner: the served runner's 1 s, and a quicker one."""
HEARTBEAT_SECONDS = 30
"""PREFECT_FLOWS_HEARTBEAT_FREQUENCY of the in-process runner (Prefect's minimum is 30 s)."""
HEARTBEAT_TIMEOUT_SECONDS = 45
"""The "run lost its process" automation's window in the crash check (the project's default is 90 s)."""
BURST_DELIVERIES = 10
CRASH_TIMEOUT_SECONDS = 180
SLOW_ENRICHMENT_SECONDS = 120.0
"""Enrichment latency in the crash check, so the run is still Running when its runner is killed."""
STAGES = ("answered", "created", "pending")


def say(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def in_process_runner(session: Session, environment: dict[str, str], poll: float,
                      tag: str) -> Iterator[tuple[subprocess.Popen[bytes], UUID]]:
    """`python -m bench.intake_runner` (`agentic runner`) in the code snapshot, once it polls: the process and the
    deployment's id, the process stopped by its pid."""
    command = [sys.executable, "-m", "bench.intake_runner", str(REPO_ROOT / "prefect.yaml"), "--poll", str(poll)]
    with ready_child(session, command, {**environment, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)},
                     f"intake-runner-{tag}.log", "serving") as process:
        yield process, asyncio.run(deployment_of_intake())


async def deployment_of_intake() -> UUID:
    """The id of the document pipeline's on-document-received deployment."""
    async with get_client() as client:
        return (await client.read_deployment_by_name(f"{FLOW_NAME}/{DEPLOYMENT}")).id


async def runs_of(deployment: UUID) -> list[FlowRun]:
    """Every flow run of the deployment."""
    async with get_client() as client:
        return await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment])), limit=200)


async def exactly_once(deployment: UUID, since: float) -> dict[str, int]:
    """The deployment's runs created since (epoch seconds): deliveries with more than one run, runs that entered
    Running more than once, runs not ended."""
    runs = [run for run in await runs_of(deployment) if run.created is not None and run.created.timestamp() >= since]
    per_text = Counter(" ".join(run.parameters.get("texts") or []) for run in runs)
    return {"runs": len(runs), "duplicate_runs": sum(count - 1 for count in per_text.values() if count > 1),
            "restarted_runs": sum(1 for run in runs if run.run_count > 1),
            "unfinished_runs": sum(1 for run in runs if run.state is None or not run.state.is_final())}


def renamed(figures: dict[str, Any], option: str) -> dict[str, Any]:
    """delivery_to_running's keys with the option as a suffix."""
    return {f"{key}_{option}": value for key, value in figures.items()}


def served(session: Session, deliveries: int, spacing: float) -> dict[str, Any]:
    """Option 1, the reference: bench/delivery_latency.py's own measurement."""
    since = time.time()
    figures = renamed(delivery_to_running(session, deliveries, spacing), "served")

    return figures | renamed(asyncio.run(exactly_once(asyncio.run(deployment_of_intake()), since)), "served")


def in_process(session: Session, poll: float, deliveries: int = DELIVERIES,
               spacing: float = SPACING_SECONDS) -> dict[str, Any]:
    """The same deliveries to one `agentic runner` polling every `poll` seconds: delivery_to_running's keys, and the
    exactly-once checks."""
    environment = session.fresh_state(offline=True)
    session.drain()
    since = time.time()
    with in_process_runner(session, environment, poll, f"poll-{poll:g}") as (_, deployment), \
            gateway_process(session) as gateway:
        figures = asyncio.run(measure_deliveries(gateway, deployment, deliveries, spacing, poll))
        checks = asyncio.run(exactly_once(deployment, since))
    return figures | checks


def two_runners(session: Session, deliveries: int = BURST_DELIVERIES) -> dict[str, Any]:
    """Two runners polling one deployment every 0.25 s, a burst of deliveries sent back to back."""
    environment = session.fresh_state(offline=True)
    session.drain()
    since = time.time()
    with in_process_runner(session, environment, 0.25, "pair-a") as (_, deployment), \
            in_process_runner(session, environment, 0.25, "pair-b"), gateway_process(session) as gateway:
        with httpx.Client(timeout=30) as client:
            sent = [send(gateway, client) for _ in range(deliveries)]
        asyncio.run(wait_for_runs(deployment, sent, final=True))
        checks = asyncio.run(exactly_once(deployment, since))
    return {"pair_deliveries": deliveries, "pair_accepted": sum(1 for d in sent if d.status == 202),
            **renamed(checks, "pair")}


def lost_process_automation() -> Automation:
    """The project's "run lost its process" automation, with a shorter window and without its notification."""
    settings = Settings(heartbeat_timeout_seconds=HEARTBEAT_TIMEOUT_SECONDS)
    project = automations(NotificationBlocks(uuid.uuid4(), uuid.uuid4()), settings)
    automation = next(entry for entry in project if entry.name.endswith("run lost its process"))
    return automation.model_copy(update={"actions": automation.actions[:1], "name": automation.name + " (bench)"})


async def _final_state(run_id: UUID, timeout: float) -> tuple[FlowRun, float]:
    """The run once its state is final (or at the timeout), and the seconds waited."""
    started = time.monotonic()
    async with get_client() as client:
        while True:
            run = await client.read_flow_run(run_id)
            if (run.state is not None and run.state.is_final()) or time.monotonic() - started > timeout:
                return run, time.monotonic() - started
            await asyncio.sleep(1)


def crash_and_retry(session: Session) -> dict[str, Any]:
    """SIGKILL the in-process runner while a run is Running: the run's final state and how long it took, with the
    project's heartbeat automation on; then a retry as the UI's (AwaitingRetry) and a new runner finishing it."""
    environment = session.fresh_state(offline=True)
    session.drain()
    automation = lost_process_automation()
    created = asyncio.run(automation.acreate())
    session.upstreams.enrichment.faults.latency = SLOW_ENRICHMENT_SECONDS
    try:
        with gateway_process(session) as gateway:
            with in_process_runner(session, environment, 0.25, "crash") as (process, deployment), \
                    httpx.Client(timeout=30) as client:
                delivery = send(gateway, client)
                (run,) = asyncio.run(wait_for_runs(deployment, [delivery], final=False))
                time.sleep(1)  # mid-run: the run waits on the slow enrichment API
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                killed_at = time.monotonic()
            run, _ = asyncio.run(_final_state(run.id, CRASH_TIMEOUT_SECONDS))
            crashed_after = time.monotonic() - killed_at
            figures: dict[str, Any] = {"crash_state": run.state.name if run.state else None,
                                       "crash_seconds_after_kill": round(crashed_after, 1),
                                       "crash_heartbeat_s": HEARTBEAT_SECONDS,
                                       "crash_automation_window_s": HEARTBEAT_TIMEOUT_SECONDS}
            session.upstreams.enrichment.faults.latency = 0.0

            async def retry() -> str:
                async with get_client() as client:
                    result: OrchestrationResult[Any] = await client.set_flow_run_state(run.id, AwaitingRetry(), force=False)
                    return result.status.value

            figures["retry_proposal"] = asyncio.run(retry())
            with in_process_runner(session, environment, 0.25, "retry"):
                retried, _ = asyncio.run(_final_state(run.id, CRASH_TIMEOUT_SECONDS))
            figures |= {"retry_state": retried.state.name if retried.state else None,
                        "retry_run_count": retried.run_count}
    finally:
        session.upstreams.enrichment.faults.latency = 0.0
        asyncio.run(created.adelete())
    return figures


def intake_options(session: Session, deliveries: int = DELIVERIES, spacing: float = SPACING_SECONDS,
                   checks: bool = True) -> dict[str, Any]:
    """Each option's delivery-to-Running figures (keys suffixed `_served`, `_in_process_1s`, `_in_process_0.25s`),
    then, with checks, the in-process runner's claim, crash and retry checks."""
    figures = served(session, deliveries, spacing)
    say(f"served: p95 {figures['delivery_to_running_p95_s_served']:.2f} s")
    for poll in POLLS:
        figures |= renamed(in_process(session, poll, deliveries, spacing), f"in_process_{poll:g}s")
        say(f"in-process, poll {poll:g} s: p95 {figures[f'delivery_to_running_p95_s_in_process_{poll:g}s']:.2f} s")
    figures |= renamed(background_tasks(session, deliveries, spacing), "background_task")
    say(f"background task: p95 {figures['delivery_to_running_p95_s_background_task']:.2f} s")
    if checks:
        figures |= two_runners(session)
        say(f"two runners: {figures['runs_pair']} runs, {figures['duplicate_runs_pair']} duplicate, "
            f"{figures['restarted_runs_pair']} started twice")
        figures |= crash_and_retry(session)
        say(f"SIGKILL: {figures['crash_state']} after {figures['crash_seconds_after_kill']} s; "
            f"retry {figures['retry_state']}")
    return figures


def print_figures(figures: dict[str, Any]) -> None:
    """One table: a row a measure, a column an option; then the checks."""
    options = ["served"] + [f"in_process_{poll:g}s" for poll in POLLS] + ["background_task"]
    rows = [("delivery → Running p95 s", "delivery_to_running_p95_s"),
            ("delivery → Running p50 s", "delivery_to_running_p50_s"),
            ("delivery → Running max s", "delivery_to_running_max_s"),
            *[(f"median to {stage} s", f"delivery_{stage}_p50_s") for stage in STAGES],
            ("runs (after the warm-up's)", "delivery_runs"), ("failed runs", "delivery_failed_runs"),
            ("runs of the deployment", "runs"), ("duplicate runs", "duplicate_runs"),
            ("runs started twice", "restarted_runs"), ("unfinished runs", "unfinished_runs"),
            ("poll s", "delivery_runner_poll_s")]
    print(f"{'measure':32}" + "".join(f"{option:>20}" for option in options))
    for label, key in rows:
        cells = [figures.get(f"{key}_{option}") for option in options]
        print(f"{label:32}" + "".join(f"{cell:>20.2f}" if isinstance(cell, float) else f"{cell!s:>20}"
                                      for cell in cells))
    for key, value in figures.items():
        if not any(key.endswith(f"_{option}") for option in options):
            print(f"{key:32}{value!s:>20}")


def intake(session: Session) -> dict[str, Any]:
    """`make bench`'s intake: delivery to Running through `agentic runner` (poll 0.25 s), the keys of
    delivery_to_running; the served reference beside it, its keys suffixed `_served`."""
    figures = served(session, DELIVERIES, SPACING_SECONDS)
    return figures | in_process(session, 0.25)
