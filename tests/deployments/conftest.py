"""Shared by the operations tests: a notification sink, `make deploy`'s bootstrap and a process worker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from pydantic import SecretStr

from agentic_kit import EnrichmentApi, LanguageModel, PipelineStore, PublishTargets
from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._operate.local_server import stop_process
from agentic_kit.testing import NotificationSink
from deployments.bootstrap import DEFAULT_BLOCK_NAME, WORK_POOL
from tests.conftest import REPO_ROOT, SESSION_HOME, run_python

RUN_TIMEOUT_SECONDS = 180


ORDERING_DECISIONS = ("arrived before the event it follows", "timed out waiting for its in-flight leader")
"""What the server logs when it holds an event back behind the one it follows (a held event fires no automation
until its leader is processed, or until the lost-follower sweep, minutes later)."""


def held_events() -> list[str]:
    """The server's log lines about events it held back, for a notification that did not arrive."""
    log = SESSION_HOME / "prefect" / "server.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line for line in lines if any(decision in line for decision in ORDERING_DECISIONS)]


@contextmanager
def explaining_sink() -> Iterator[NotificationSink]:
    """A notification receiver; a notification that does not arrive is reported with the events the server held."""
    with NotificationSink() as server:
        wait_for = server.wait_for

        def wait_for_or_explain(text: str, timeout: float = 60.0) -> dict[str, object]:
            try:
                return wait_for(text, timeout)
            except AssertionError as missing:
                raise AssertionError(f"{missing}\nevents the server held back: {held_events()}") from None

        server.wait_for = wait_for_or_explain  # type: ignore[method-assign]
        yield server


@pytest.fixture(scope="package")
def sink() -> Iterator[NotificationSink]:
    """The receiver of the usual notification block."""
    with explaining_sink() as server:
        yield server


@pytest.fixture(scope="package")
def escalation_sink() -> Iterator[NotificationSink]:
    """The receiver of the escalation block (escalated reviews)."""
    with explaining_sink() as server:
        yield server


def notification_urls(sink: NotificationSink, escalation_sink: NotificationSink) -> dict[str, str]:
    """The bootstrap's environment that points the notification blocks at the test receivers."""
    return {"AGENTIC_ALERTS_WEBHOOK_URL": f"{sink.url}/notify",
            "AGENTIC_ESCALATION_WEBHOOK_URL": f"{escalation_sink.url}/notify"}


WORKER_STOP_SECONDS = 30
"""A worker still shutting down after this long is killed (it runs no flow then: the tests have ended)."""


@pytest.fixture(scope="package")
def worker(sink: NotificationSink, escalation_sink: NotificationSink) -> Iterator[None]:
    """`make deploy`'s bootstrap, then a real process worker on the pool."""
    state = Path(tempfile.mkdtemp(prefix="agentic-worker-"))
    bootstrap = run_python("-m", "deployments.bootstrap", env={**notification_urls(sink, escalation_sink),
                                                              "AGENTIC_INBOX_FOLDER": str(state / "inbox")})
    assert bootstrap.returncode == 0, bootstrap.stdout[-2000:] + bootstrap.stderr[-2000:]
    env = {**os.environ, "PREFECT_LOCAL_STORAGE_PATH": str(state / "results"), "PREFECT_WORKER_QUERY_SECONDS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "worker", "start", "--pool", WORK_POOL],
        cwd=REPO_ROOT, env=env, stdout=(state / "worker.log").open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        stop_process(process, WORKER_STOP_SECONDS)


async def point_default_blocks(model: LanguageModel, enrichment_url: str | None, database: Path) -> None:
    """Edit the `default` blocks, as a user would in the UI."""
    await model.asave(DEFAULT_BLOCK_NAME, overwrite=True)
    await EnrichmentApi(base_url=enrichment_url, breaker=BreakerSettings(reset_seconds=1)).asave(
        DEFAULT_BLOCK_NAME, overwrite=True)
    await PipelineStore(database_url=SecretStr(f"sqlite:///{database}")).asave(DEFAULT_BLOCK_NAME, overwrite=True)
    await PublishTargets(export_folder=str(database.parent / "exports")).asave(DEFAULT_BLOCK_NAME, overwrite=True)


async def final_state(flow_run_id: UUID) -> str:
    """Wait for a flow run to end; its final state's name."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    async with get_client() as client:
        while time.monotonic() < deadline:
            run = await client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run.state.name
            await asyncio.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {RUN_TIMEOUT_SECONDS} s")
