"""The fleet under a worker's death: a 40-document batch as 4 child runs on 2 workers, one worker SIGKILLed while
it runs a child. Every document is published once, the crashed child finishes on the other worker, no finished
model call is made again, the results come from the object store, and the server's database is PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from uuid import UUID

import psycopg
from prefect import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from bench.documents import write_documents
from chaos.audit import input_documents
from deployments.fleet.object_store import object_requests
from deployments.fleet.processes import process_tree
from tests.conftest import REPO_ROOT
from tests.fleet.conftest import FleetUnderTest

DOCUMENTS, BATCH_SIZE = 40, 10
BATCH_TIMEOUT_SECONDS = 600
CALLS_BEFORE_KILL = 6
"""Model calls of the child to kill recorded in the store first, so some of its finished steps are persisted and
its rerun on the survivor reads them back."""
SETTLED_BEFORE_KILL_SECONDS = 3.0
"""A model call answered this long before the kill had time to be persisted: answering it again is a repeat."""


async def running_children(fleet: FleetUnderTest) -> list[FlowRun]:
    async with get_client() as client:
        runs = await client.read_flow_runs(limit=50)
    return [run for run in runs if run.state and run.state.is_running() and run.infrastructure_pid]


def worker_of(fleet: FleetUnderTest, pid: int) -> int | None:
    for number, worker in fleet.fleet.workers.items():
        if pid in process_tree(worker.pid):
            return number
    return None


def calls_of(store: PipelineStore, flow_run_id: UUID) -> int:
    """Model calls a flow run has recorded in the store."""
    with Session(store.engine()) as session:
        return len(session.exec(select(ModelUsageRow).where(ModelUsageRow.flow_run_id == str(flow_run_id))).all())


async def kill_a_worker_mid_child(fleet: FleetUnderTest, batch: subprocess.Popen[str]) -> tuple[int, UUID, float]:
    """Once a child has had CALLS_BEFORE_KILL model calls answered, SIGKILL the worker running it; (worker, child,
    kill time)."""
    store = PipelineStore.model_validate({"database_url": fleet.fleet.topology.store_url})
    deadline = time.monotonic() + BATCH_TIMEOUT_SECONDS
    while time.monotonic() < deadline and batch.poll() is None:
        for run in await running_children(fleet):
            number = worker_of(fleet, int(str(run.infrastructure_pid).rsplit(":", 1)[-1]))
            # the batch's own run is on this host, in no worker's process tree
            if number is not None and await asyncio.to_thread(calls_of, store, run.id) >= CALLS_BEFORE_KILL:
                killed_at = time.time()
                fleet.fleet.kill_worker(number)
                return number, run.id, killed_at
        await asyncio.sleep(0.2)
    raise AssertionError("no child run was seen running on a worker")


async def test_a_batch_survives_a_workers_death(fleet: FleetUnderTest) -> None:
    inputs = input_documents(write_documents(fleet.inbox, DOCUMENTS, seed=13))
    env = fleet.environment()
    batch = subprocess.Popen([sys.executable, "-m", "flows.document_batch", str(fleet.inbox),  # noqa: ASYNC220 (runs beside the loop)
                              "--batch-size", str(BATCH_SIZE)], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    topology = fleet.fleet.topology
    with temporary_settings({PREFECT_API_URL: topology.api_url, PREFECT_API_AUTH_STRING: fleet.fleet.auth()}):
        killed, child_id, killed_at = await kill_a_worker_mid_child(fleet, batch)
        output, _ = batch.communicate(timeout=BATCH_TIMEOUT_SECONDS)
        async with get_client() as client:
            child = await client.read_flow_run(child_id)
            states = [state.name for state in await client.read_flow_run_states(child_id)]
    survivor = 2 if killed == 1 else 1
    print(f"documents={DOCUMENTS} batches={DOCUMENTS // BATCH_SIZE} workers=2 worker_kills=1 (worker {killed}, "
          f"child {child.name}); child states {states}; batch said: {output.strip().splitlines()[-1:]}")
    assert batch.returncode == 0, output[-3000:]
    assert f"{DOCUMENTS} documents in {DOCUMENTS // BATCH_SIZE} batches: {DOCUMENTS} processed" in output

    # Every document published once: in the store, and applied once by the receiver.
    store = PipelineStore.model_validate({"database_url": topology.store_url})
    with Session(store.engine()) as session:
        processed = {row.id for row in session.exec(select(DocumentRow)).all() if row.status == "processed"}
    effects = fleet.sink.effects()
    lost = set(inputs) - processed - set(effects)
    duplicated = {document for document, count in effects.items() if count > 1}
    print(f"lost={len(lost)} duplicated={len(duplicated)}")
    assert processed == set(inputs) and set(effects) == set(inputs) and not lost and not duplicated

    # The crashed child ran again and finished on the surviving worker.
    assert "Crashed" in states and child.state is not None and child.state.name == "Completed", states
    survivor_log = (topology.folder / "workers" / str(survivor) / "worker.log").read_text()
    assert str(child_id) in survivor_log

    # No model call answered before the kill (so persisted) was made again.
    repeated = fleet.model.log.repeated_ok()
    settled_repeats = [record for record in fleet.model.log.ok() if record.fingerprint in repeated
                       and record.finished < killed_at - SETTLED_BEFORE_KILL_SECONDS]
    print(f"model calls answered: {len(fleet.model.log.ok())}; repeated in flight at the kill: {len(repeated)}; "
          f"finished calls repeated: {len(settled_repeats)}")
    assert settled_repeats == []

    # The survivor read finished steps from the object store.
    reads = [request for request in object_requests(topology.folder / "object-store.log")
             if request.method == "GET" and "/results/" in request.path
             and request.client == topology.worker_address(survivor)]
    assert reads, "the surviving worker read no results from the object store"

    # The server's own database is PostgreSQL.
    with psycopg.connect(topology.server_database_url.replace("+asyncpg", "")) as db:
        (runs,) = db.execute("SELECT count(*) FROM flow_run WHERE id = %s", (child_id,)).fetchone()
    assert runs == 1
