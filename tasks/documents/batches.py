"""A big batch over the fleet: split the input, run each part as a run of a document-pipeline deployment, wait.

The children are deployment runs (run_deployment), so workers run them wherever they are; each is linked to the
parent in the UI. A child is created with an idempotency key made of the parent's run id and its batch number, so
a parent run again (a retry from the UI) waits for the children it already started instead of starting them
twice. A child that ends Crashed (its worker died; the no-heartbeat automation said so) is scheduled again, as
the UI's Retry does, up to max_attempts: it runs on a worker that is alive and reads every finished step from
the shared result storage.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from prefect import get_client, get_run_logger
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.states import AwaitingRetry
from prefect.utilities.urls import url_for

from agentic_kit import InvalidInput, Settings
from tasks.documents.batch_report import ChildRun
from tasks.documents.ingest import source_files
from tasks.documents.report import PipelineReport

CHILD_POLL_SECONDS = 2.0
"""How often a waiting parent reads its children's states."""
RUN_AGAIN = {StateType.CRASHED}
"""A child in such a state lost its process, not its input: running it again is safe and cheap (cache)."""


def split_into_batches(folder: str | None, paths: list[str] | None, urls: list[str] | None,
                       batch_size: int) -> list[dict[str, list[str]]]:
    """The children's inputs: the folder's files and the paths (as `paths`), then the URLs, batch_size a child."""
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be at least 1, not {batch_size}")
    files = [_absolute(path) for path in source_files(folder, paths, Settings().ingest_root_paths)]
    batches: list[dict[str, list[str]]] = []
    for start in range(0, len(files), batch_size):
        batches.append({"paths": files[start:start + batch_size]})
    for start in range(0, len(urls or []), batch_size):
        batches.append({"urls": (urls or [])[start:start + batch_size]})
    return batches


def _absolute(path: Path) -> str:
    """The path a worker reads: resolved, or as given when it names no file (a NUL byte, a link changing): the
    child's ingest rejects it with its reason, and the other paths are read."""
    try:
        return str(path.resolve())
    except (OSError, ValueError):
        return str(path)


async def _final(flow_run: FlowRun) -> FlowRun:
    """The child run once its state is final (Completed, Failed, Crashed, Cancelled)."""
    async with get_client() as client:
        while True:
            run = await client.read_flow_run(flow_run.id)
            if run.state is not None and run.state.is_final():
                return run
            await asyncio.sleep(CHILD_POLL_SECONDS)


async def _run_again(flow_run: FlowRun) -> None:
    async with get_client() as client:
        await client.set_flow_run_state(flow_run.id, AwaitingRetry(message="Its worker died: run again by the "
                                                                          "document-batch run that started it."),
                                        force=True)


async def run_batch(deployment: str, batch: int, batch_input: dict[str, list[str]], parameters: dict[str, object],
                    idempotency_key: str, max_attempts: int, work_queue_name: str | None = None) -> ChildRun:
    """Start (or find) one child run on its input plus parameters, wait for it, run it again while it crashes."""
    logger = get_run_logger()
    child = await run_deployment(deployment, parameters={**parameters, **batch_input}, timeout=0, as_subflow=True,
                                 idempotency_key=idempotency_key, work_queue_name=work_queue_name)
    attempts = 1
    while True:
        child = await _final(child)
        assert child.state is not None
        if child.state.type not in RUN_AGAIN or attempts >= max_attempts:
            break
        attempts += 1
        logger.warning("batch %d: %s ended %s (%s); running it again, attempt %d of %d", batch, child.name,
                       child.state.name, child.state.message, attempts, max_attempts)
        await _run_again(child)
    report = None
    if child.state.type in (StateType.COMPLETED, StateType.FAILED):
        result = await child.state.aresult(raise_on_failure=False)
        report = result if isinstance(result, PipelineReport) else None
    logger.info("batch %d: %s ended %s after %d attempts", batch, child.name, child.state.name, attempts)
    documents = len(batch_input.get("paths", [])) + len(batch_input.get("urls", []))
    return ChildRun(batch=batch, flow_run_id=str(child.id), name=child.name, url=url_for("flow-run", obj_id=child.id),
                    state=child.state.name, attempts=attempts, documents=documents, report=report,
                    message=child.state.message)
