"""Day-to-day operations with real parts: bootstrap, a process worker, the Prefect CLI, automations.

One bootstrap and one `prefect worker start` serve the module; each test points the `default`
blocks at its own servers and store, as a user would edit them in the UI.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.events import emit_event
from pydantic import SecretStr
from sqlmodel import Session, func, select

from blocks import EnrichmentApi, LanguageModel, PipelineStore
from blocks.store_tables import DocumentRow
from deployments.bootstrap import DEFAULT_BLOCK_NAME, WORK_POOL
from flows.document_pipeline import document_pipeline
from tasks.events import CIRCUIT_OPENED
from tests.conftest import REPO_ROOT, free_port, run_python, served_model
from tests.flows.conftest import SAMPLES
from tests.servers import EnrichmentServer, ModelServer, NotificationSink

RUN_TIMEOUT_SECONDS = 180


@pytest.fixture(scope="module")
def sink() -> Iterator[NotificationSink]:
    with NotificationSink() as server:
        yield server


@pytest.fixture(scope="module")
def worker(sink: NotificationSink) -> Iterator[None]:
    """`make deploy`'s bootstrap, then a real process worker on the pool."""
    state = Path(tempfile.mkdtemp(prefix="agentic-worker-"))
    bootstrap = run_python("-m", "deployments.bootstrap", env={"AGENTIC_NOTIFY_URL": f"{sink.url}/notify",
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
        process.terminate()
        process.wait(timeout=30)


async def _point_default_blocks(model: LanguageModel, enrichment_url: str, database: Path) -> None:
    """Edit the `default` blocks, as a user would in the UI."""
    await model.asave(DEFAULT_BLOCK_NAME, overwrite=True)
    await EnrichmentApi(base_url=enrichment_url).asave(DEFAULT_BLOCK_NAME, overwrite=True)
    await PipelineStore(database_url=SecretStr(f"sqlite:///{database}")).asave(DEFAULT_BLOCK_NAME, overwrite=True)


def _run_deployment(name: str, *params: str) -> UUID:
    """`prefect deployment run NAME --param …`; the id of the flow run it created."""
    args = [arg for param in params for arg in ("--param", param)]
    result = run_python("-m", "prefect", "deployment", "run", name, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return UUID(re.search(r"UUID: ([0-9a-f-]{36})", result.stdout).group(1))  # type: ignore[union-attr]


async def _final_state(flow_run_id: UUID) -> str:
    """Wait for a flow run to end; its final state's name."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    async with get_client() as client:
        while time.monotonic() < deadline:
            run = await client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run.state.name
            await asyncio.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {RUN_TIMEOUT_SECONDS} s")


def _stored(database: Path) -> int:
    store = PipelineStore(database_url=SecretStr(f"sqlite:///{database}"))
    with Session(store.engine()) as session:
        return session.exec(select(func.count()).select_from(DocumentRow)).one()


async def test_a_deployment_run_from_the_cli_completes_on_the_worker(
    worker: None, model_server: ModelServer, enrichment_server: EnrichmentServer, tmp_path: Path
) -> None:
    await _point_default_blocks(served_model(model_server), enrichment_server.url, tmp_path / "ops.db")
    flow_run_id = _run_deployment("document-pipeline/manual", f"folder={SAMPLES}")
    assert await _final_state(flow_run_id) == "Completed"
    assert _stored(tmp_path / "ops.db") == 13
    assert model_server.log.count(outcome="ok") == 36


async def test_a_run_failed_by_an_enrichment_outage_is_retried_from_the_cli_without_repeating_model_calls(
    worker: None, model_server: ModelServer, tmp_path: Path
) -> None:
    port = free_port()
    await _point_default_blocks(served_model(model_server), f"http://127.0.0.1:{port}", tmp_path / "ops.db")
    flow_run_id = _run_deployment("document-pipeline/manual", f"folder={SAMPLES}")
    assert await _final_state(flow_run_id) == "Failed"
    extractions = model_server.log.count(key="EntityList", outcome="ok")

    with EnrichmentServer().start(port=port):
        retried = run_python("-m", "prefect", "flow-run", "retry", str(flow_run_id))
        assert retried.returncode == 0, retried.stdout + retried.stderr
        time.sleep(2)
        assert await _final_state(flow_run_id) == "Completed"

    assert model_server.log.count(key="EntityList", outcome="ok") == extractions
    assert model_server.log.repeated_ok() == {}, "no finished model call was repeated"
    assert _stored(tmp_path / "ops.db") == 13


async def test_a_failed_run_and_an_opened_circuit_notify_through_the_automations(
    worker: None, sink: NotificationSink
) -> None:
    state = await document_pipeline(folder="/no/such/folder", return_state=True)
    assert state.is_failed()
    async with get_client() as client:
        run = await client.read_flow_run(state.state_details.flow_run_id)
    note = sink.wait_for(f"Flow run Failed: {run.name}")
    assert "does not exist" in note["body"] and str(run.id) in note["body"], "the message and the run's link"

    emit_event(event=CIRCUIT_OPENED, resource={"prefect.resource.id": "agentic.dependency.model"},
               payload={"failures": 5})
    note = sink.wait_for("Circuit opened: agentic.dependency.model")
    assert "failing" in note["body"]
