"""Prefect's background tasks as a way to start a delivered document, measured beside `agentic runner`.

`python -m bench.background_intake` (a child of the bench) serves `process_delivery` with Prefect's task worker: it
imports the pipeline once, and task runs reach it over a websocket, with no poll. The bench process subscribes to the
gateway's `agentic.document.received` events and calls `process_delivery.delay(...)` for each, what the gateway's
relay would have to do instead of the deployment trigger, and times each delivery from its send to its task run's
start. The task runs the document pipeline on the delivery's texts, as the trigger's flow run does.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from prefect import get_client, task
from prefect.client.schemas.objects import TaskRun
from prefect.events.clients import get_events_subscriber
from prefect.events.filters import EventFilter, EventNameFilter
from prefect.futures import PrefectDistributedFuture
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
from prefect.task_worker import serve

from agentic_kit._operate.local_server import stop_process
from bench.delivery_latency import DELIVERIES, RUN_TIMEOUT_SECONDS, SPACING_SECONDS, Sent, send
from bench.gateway_load import gateway_process
from bench.runs import Session
from flows.document_pipeline import document_pipeline

RECEIVED = "agentic.document.received"
READY_TIMEOUT_SECONDS = 180


@task(name="process-delivery", persist_result=True)
async def process_delivery(texts: list[str], sources: list[str] | None = None,
                           urls: list[str] | None = None) -> str:
    """The document pipeline on one delivery's documents; its final state's name."""
    state = await document_pipeline(texts=texts, sources=sources, urls=urls, return_state=True)
    return state.name


@contextmanager
def ready_child(session: Session, command: list[str], environment: dict[str, str], log_name: str,
                ready_text: str) -> Iterator[subprocess.Popen[bytes]]:
    """A child of the bench in the code snapshot, once its log says ready_text; stopped by its pid."""
    log = session.root / log_name
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=session.code, env={**os.environ, **environment}, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while ready_text not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(command[1:3])} did not start; {log} ends:\n"
                                   f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            stop_process(process)


@contextmanager
def task_worker(session: Session, environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m bench.background_intake` in the code snapshot, once it serves; stopped by its pid."""
    with ready_child(session, [sys.executable, "-m", "bench.background_intake"], environment, "task-worker.log",
                     "serving process-delivery") as process:
        time.sleep(2)  # its websocket subscription is opened after the line
        yield process


class Relay:
    """Subscribes to the gateway's events and delays one task run for each: the delivery id's task run ids."""

    def __init__(self) -> None:
        self.task_runs: dict[str, list[UUID]] = {}
        self.subscribed = asyncio.Event()

    async def relay(self) -> None:
        async with get_events_subscriber(filter=EventFilter(event=EventNameFilter(name=[RECEIVED]))) as events:
            self.subscribed.set()
            async for event in events:
                payload = event.payload
                future: PrefectDistributedFuture[str] = process_delivery.delay(
                    payload.get("texts") or [], payload.get("sources"), payload.get("urls"))
                delivery = next((word.rstrip(":") for text in payload.get("texts") or []
                                 for word in text.split() if word.startswith("msg_")), "")
                self.task_runs.setdefault(delivery, []).append(future.task_run_id)


async def _finished(run_ids: list[UUID]) -> list[TaskRun]:
    """The task runs once every one has ended."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    async with get_client() as client:
        while True:
            runs = [await client.read_task_run(run_id) for run_id in run_ids]
            if all(run.state is not None and run.state.is_final() for run in runs):
                return runs
            if time.monotonic() > deadline:
                raise RuntimeError(f"task runs not finished in {RUN_TIMEOUT_SECONDS} s")
            await asyncio.sleep(0.5)


async def _delivered(relay: Relay, sent: Sent) -> list[UUID]:
    """The task runs delayed for a delivery, once its event was relayed."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while sent.delivery_id not in relay.task_runs:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no event relayed for {sent.delivery_id}")
        await asyncio.sleep(0.1)
    return relay.task_runs[sent.delivery_id]


async def _measure(gateway: Any, deliveries: int, spacing: float) -> dict[str, Any]:
    relay = Relay()
    relaying = asyncio.create_task(relay.relay())
    await asyncio.wait_for(relay.subscribed.wait(), READY_TIMEOUT_SECONDS)
    with httpx.Client(timeout=30) as client:
        warm_up = await asyncio.to_thread(send, gateway, client)
        await _finished(await _delivered(relay, warm_up))
        sent = []
        for _ in range(deliveries):
            sent.append(await asyncio.to_thread(send, gateway, client))
            await asyncio.sleep(spacing)
    runs = [await _finished(await _delivered(relay, delivery)) for delivery in sent]
    relaying.cancel()
    running = [run[0].start_time.timestamp() - delivery.sent_at for run, delivery in zip(runs, sent, strict=True)
               if run[0].start_time is not None]
    return {
        "delivery_to_running_p95_s": statistics.quantiles(running, n=20, method="inclusive")[-1],
        "delivery_to_running_p50_s": statistics.median(running),
        "delivery_to_running_max_s": max(running),
        "delivery_runs": len(runs),
        "delivery_failed_runs": sum(1 for run in runs if not run[0].state or not run[0].state.is_completed()),
        "duplicate_runs": sum(len(run) - 1 for run in runs),
    }


def background_tasks(session: Session, deliveries: int = DELIVERIES,
                     spacing: float = SPACING_SECONDS) -> dict[str, Any]:
    """The same deliveries relayed as background task runs to Prefect's task worker: delivery_to_running's keys."""
    environment = session.fresh_state(offline=True)
    session.drain()
    storage = Path(environment["PREFECT_LOCAL_STORAGE_PATH"])  # where .delay() keeps the parameters the worker reads
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: storage}), task_worker(session, environment), \
            gateway_process(session) as gateway:
        return asyncio.run(_measure(gateway, deliveries, spacing))


if __name__ == "__main__":
    print("serving process-delivery", flush=True)
    serve(process_delivery, limit=8)
