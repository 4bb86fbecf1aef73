"""From a signed delivery to its flow run being Running, through the path users deploy.

A gateway process (bench/gateway_load.py) posts each delivery's event to the session's Prefect server; the
trigger of prefect.yaml's `on-document-received` deployment, served by `flow.serve` in a child process
(bench/served_intake.py), turns it into a flow run; the runner polls for it and starts it in a process of its
own. Each delivery is timed from just before it is sent to its flow run's start_time as the API reports it,
and split into stages read from the run's states: the gateway's answer, the trigger (the run is created), the
runner's poll (Pending) and the run's process start (Running). Deliveries are spaced apart, so each run starts
on a machine that is not busy starting the one before.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun

from agentic_kit._operate.local_server import stop_process
from bench.gateway_load import Gateway, gateway_process
from bench.runs import REPO_ROOT, Session
from bench.served_intake import DEPLOYMENT

DELIVERIES = 20
SPACING_SECONDS = 3.0
RUNNER_POLL_SECONDS = 1
"""PREFECT_RUNNER_POLL_FREQUENCY of the served deployment (Prefect's default is 10 s)."""
READY_TIMEOUT_SECONDS = 180
RUN_TIMEOUT_SECONDS = 180
FLOW_NAME = "document-pipeline"


@dataclass(frozen=True)
class Sent:
    """One delivery: its id, when it was sent and when the gateway answered (epoch seconds), and the status."""

    delivery_id: str
    sent_at: float
    answered_at: float
    status: int


def send(gateway: Gateway, client: httpx.Client) -> Sent:
    """One signed delivery of a short document whose text names its delivery id."""
    delivery_id = f"msg_{uuid.uuid4().hex}"
    body = json.dumps({"text": f"Delivery {delivery_id}: Amara Okafor joined Northwind Traders Ltd. in Lagos.",
                       "source": "bench"}).encode()
    sent_at = time.time()
    timestamp = str(int(sent_at))
    digest = hmac.new(gateway.key, f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    headers = {"content-type": "application/json", "webhook-id": delivery_id, "webhook-timestamp": timestamp,
               "webhook-signature": "v1," + base64.b64encode(digest).decode()}
    response = client.post(f"{gateway.url}/documents", content=body, headers=headers)
    return Sent(delivery_id, sent_at, time.time(), response.status_code)


@contextmanager
def served_deployment(session: Session, environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m bench.served_intake` in the code snapshot with the project's prefect.yaml, stopped by its pid."""
    log = session.root / "served-intake.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "bench.served_intake", str(REPO_ROOT / "prefect.yaml")], cwd=session.code,
                                   env={**os.environ, **environment}, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop_process(process)


async def _deployment_id(process: subprocess.Popen[bytes]) -> UUID:
    """The served deployment's id, once the runner has created it."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with get_client() as client:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                return (await client.read_deployment_by_name(f"{FLOW_NAME}/{DEPLOYMENT}")).id
            except Exception:  # noqa: BLE001 - not created yet
                await asyncio.sleep(0.5)
    raise RuntimeError("the served deployment did not appear: see served-intake.log in the bench folder")


async def _runs(deployment_id: UUID) -> list[FlowRun]:
    """Every flow run of the deployment."""
    async with get_client() as client:
        return await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])), limit=200)


def _run_of(runs: list[FlowRun], delivery_id: str) -> FlowRun | None:
    """The flow run whose document text names this delivery."""
    return next((run for run in runs if delivery_id in " ".join(run.parameters.get("texts") or [])), None)


async def wait_for_runs(deployment_id: UUID, sent: list[Sent], final: bool) -> list[FlowRun]:
    """The runs of these deliveries, in their order, once each has started (or, with final, ended)."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while True:
        runs = await _runs(deployment_id)
        matched = [_run_of(runs, delivery.delivery_id) for delivery in sent]
        done = [run for run in matched if run is not None and run.start_time is not None
                and (not final or (run.state is not None and run.state.is_final()))]
        if len(done) == len(sent):
            return done
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(done)} of {len(sent)} deliveries' runs started in {RUN_TIMEOUT_SECONDS} s")
        await asyncio.sleep(0.5)


async def run_stages(run: FlowRun, delivery: Sent) -> dict[str, float]:
    """Seconds from the delivery's send to its answer, its run's creation, Pending and Running."""
    async with get_client() as client:
        states = await client.read_flow_run_states(run.id)
    first = {state.type.value: state.timestamp.timestamp() for state in reversed(states)}
    assert run.start_time is not None and run.created is not None
    return {"answered": delivery.answered_at - delivery.sent_at,
            "created": run.created.timestamp() - delivery.sent_at,
            "pending": first.get("PENDING", float("nan")) - delivery.sent_at,
            "running": run.start_time.timestamp() - delivery.sent_at}


def _p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


async def measure_deliveries(gateway: Gateway, deployment_id: UUID, deliveries: int, spacing: float,
                             poll_seconds: float = RUNNER_POLL_SECONDS) -> dict[str, Any]:
    """A warm-up delivery, then `deliveries` deliveries `spacing` seconds apart to whatever starts the runs of the
    deployment (served, or bench/intake_options.py's alternatives); their stage times."""
    with httpx.Client(timeout=30) as client:
        warm_up = send(gateway, client)
        await wait_for_runs(deployment_id, [warm_up], final=True)
        sent = []
        for _ in range(deliveries):
            sent.append(send(gateway, client))
            await asyncio.sleep(spacing)
    if any(delivery.status != 202 for delivery in sent):
        raise RuntimeError(f"the gateway refused deliveries: {[delivery.status for delivery in sent]}")
    runs = await wait_for_runs(deployment_id, sent, final=True)
    stages = [await run_stages(run, delivery) for run, delivery in zip(runs, sent, strict=True)]
    running = [stage["running"] for stage in stages]
    return {
        "delivery_to_running_p95_s": _p95(running),
        "delivery_to_running_p50_s": statistics.median(running),
        "delivery_to_running_max_s": max(running),
        "delivery_runs": len(runs),
        "delivery_failed_runs": sum(1 for run in runs if run.state is None or not run.state.is_completed()),
        **{f"delivery_{name}_p50_s": statistics.median(stage[name] for stage in stages)
           for name in ("answered", "created", "pending")},
        "delivery_spacing_s": spacing,
        "delivery_runner_poll_s": poll_seconds,
    }


async def _measure(gateway: Gateway, served: subprocess.Popen[bytes], deliveries: int,
                   spacing: float) -> dict[str, Any]:
    """The served deployment's figures, once its runner has created it."""
    return await measure_deliveries(gateway, await _deployment_id(served), deliveries, spacing)


def delivery_to_running(session: Session, deliveries: int = DELIVERIES,
                        spacing: float = SPACING_SECONDS) -> dict[str, Any]:
    """p50/p95 seconds from a signed delivery to its run being Running, with the stages' medians."""
    environment = {**session.fresh_state(offline=True), "PREFECT_RUNNER_POLL_FREQUENCY": str(RUNNER_POLL_SECONDS)}
    session.drain()
    with served_deployment(session, environment) as served, gateway_process(session) as gateway:
        figures = asyncio.run(_measure(gateway, served, deliveries, spacing))
    return figures
