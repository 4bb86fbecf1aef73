"""Peer: the workload as a DBOS Transact user writes it from the docs, `python -m bench.peer_dbos FOLDER`.

One `@DBOS.workflow()` per document, its workflow ID the document's content id (`SetWorkflowID`), and in it one async
`@DBOS.step()` per model call and per enrichment call, with DBOS's own retries and the other peers' figures:
`max_attempts` = retries + 1, `interval_seconds` = the backoff base, `backoff_rate` 2 (DBOS caps no delay below an
hour, so with a cap under base·2^(retries-1) the last delays are longer than ours), and the call timeout as the step's
per-attempt `timeout_seconds`. Steps return the pydantic models, which DBOS pickles into its system database, on
PostgreSQL at AGENTIC_PEER_DATABASE_URL. The model steps send the naive peer's requests (`peer_batch.ask`: the
baseline's bodies, byte for byte); the enrichment steps post its body (its task's function), one step per distinct
enrichable entity, MAX_ENRICHMENTS_AT_ONCE at a time, started in sorted order: DBOS numbers a workflow's steps in the
order they start and replays recorded outputs by that number. 16 documents at once; DBOS is launched inside this
event loop, so the workflows it recovers by itself run in it too, with the same clients.

A rerun with the same database and export folder resumes. Documents the results file already has a line for are
skipped, as a user's script would (their workflows would only return their recorded result, and the document would
get a second line). DBOS recovers the workflows a SIGKILL left pending and the batch waits for them: calling an
existing workflow ID returns its result, and no step with a recorded output is called again. A workflow an earlier
run left failed (a step out of retries) is first rewound to its first failed step (`DBOS.rewind_workflow_async`), so
the rerun retries that document from there, as the Prefect peers' reruns retry failed tasks.
Prints one JSON line: seconds (DBOS's launch included), cpu_seconds, documents (in the folder, skipped ones included),
failed, first_failure, already_written (skipped).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID

from agentic_kit._domain.models.common import Review, content_id
from agentic_kit._domain.models.documents import EntityList, EntityType, Summary
from bench.child import run_child
from bench.peer_batch import (
    SETTINGS,
    ask,
    enrich_all,
    enrich_entity,
    folder_documents,
    process_folder,
    timed,
    unwritten,
)
from bench.runs import PEER_DATABASE_VARIABLE
from tasks.documents.agents import WHOLE_DOCUMENT, extract_request, review_request, summarize_request


def step_options(retries: int, timeout_seconds: float) -> dict[str, Any]:
    """The peers' retry figures (peer_batch's MODEL_RETRIES, TOOL_CALL) as DBOS step options."""
    return {"retries_allowed": retries > 0, "max_attempts": retries + 1,
            "interval_seconds": SETTINGS.backoff_base_seconds, "backoff_rate": 2.0, "timeout_seconds": timeout_seconds}


MODEL_STEP = step_options(SETTINGS.llm_retries, SETTINGS.llm_timeout_seconds)
TOOL_STEP = step_options(SETTINGS.tool_retries, SETTINGS.tool_timeout_seconds)


@DBOS.step(name="extract_entities", **MODEL_STEP)
async def extract_entities(text: str) -> EntityList:
    """The entities of a document."""
    return await ask(extract_request(text), EntityList)


@DBOS.step(name="summarize", **MODEL_STEP)
async def summarize(text: str) -> Summary:
    """A short summary of a document."""
    return await ask(summarize_request(text), Summary)


@DBOS.step(name="review", **MODEL_STEP)
async def review_summary(summary: str, text: str) -> Review:
    """A judge's score of the summary against the document."""
    return await ask(review_request(summary, text, WHOLE_DOCUMENT), Review)


@DBOS.step(name="enrich_entity", **TOOL_STEP)
async def enrich(name: str, kind: EntityType) -> dict[str, Any]:
    """One enrichment call for one entity: the naive peer's call, without its Prefect task."""
    answer: dict[str, Any] = await enrich_entity.fn(name, kind)
    return answer


@DBOS.workflow(name="process_document")
async def process_document(text: str) -> dict[str, Any]:
    """Extract, enrich each entity, summarize, review."""
    entities = await extract_entities(text)
    enriched = await enrich_all(entities, enrich)
    summary = await summarize(text)
    review = await review_summary(summary.summary, text)
    return {"entities": len(entities.entities), "enriched": enriched, "summary": summary.summary,
            "score": review.score}


async def process(text: str) -> dict[str, Any]:
    """The document's workflow under its content id: run, or its result if it exists (waited for if recovering)."""
    with SetWorkflowID(content_id(text)):
        return await process_document(text)


async def rewind_failed(documents: set[str]) -> None:
    """Rewind each of these documents' workflows an earlier run left failed to its first failed step."""
    for workflow in await DBOS.list_workflows_async(status="ERROR", load_input=False, load_output=False):
        if workflow.workflow_id in documents:
            steps = await DBOS.list_workflow_steps_async(workflow.workflow_id)
            failed = next((s["function_id"] for s in steps if s["error"] is not None), len(steps) + 1)
            await DBOS.rewind_workflow_async(workflow.workflow_id, start_step=failed)


async def durable_batch(folder: Path, concurrency: int) -> dict[str, Any]:
    """`peer_batch.process_folder` on DBOS launched in this loop, skipping written documents, failed ones rewound."""
    DBOS.launch()
    await rewind_failed({content_id(raw) for raw in unwritten(folder_documents(folder))})
    return await process_folder(folder, concurrency, process, skip_written=True)


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """The batch over folder on DBOS, timed from its launch; DBOS shut down after."""
    database_url = os.environ.get(PEER_DATABASE_VARIABLE)
    if not database_url:
        raise SystemExit(f"the DBOS peer needs {PEER_DATABASE_VARIABLE}: the PostgreSQL database for its system tables")
    DBOS(config=DBOSConfig(name="peer-dbos", system_database_url=database_url, log_level="WARNING"))
    try:
        return await timed(durable_batch(folder, concurrency))
    finally:
        DBOS.destroy()


if __name__ == "__main__":
    run_child(run, __doc__)
