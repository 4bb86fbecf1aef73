"""Peer: the workload as a DBOS Transact user writes it from the docs, `python -m bench.peer_dbos FOLDER`.

One `@DBOS.workflow()` per document, its workflow ID the document's content id (`SetWorkflowID`), and in it one
`@DBOS.step()` per model call and per enrichment call, each with DBOS's own retries (`retries_allowed`,
`max_attempts` = our retries + 1, `interval_seconds` = our backoff base, `backoff_rate` 2: our delays, though DBOS
has no cap on them) and its per-attempt `timeout_seconds` (our call timeout); DBOS keeps its system database on
PostgreSQL at `AGENTIC_PEER_DATABASE_URL`. The model steps send the naive peer's requests (`peer_batch.ask`), byte
for byte; the enrichment steps post its body (its task's function), one per distinct entity, MAX_ENRICHMENTS_AT_ONCE
at a time, started in sorted order since DBOS numbers a workflow's steps in the order they start and replays them
by that number. The documents run 16 at once in this event loop, where DBOS is launched, so the workflows it
recovers by itself share the loop (and the clients) with the ones the batch starts.

A rerun with the same database and export folder resumes: DBOS recovers the workflows a SIGKILL left pending and
the batch waits for them (calling a workflow ID that exists returns its result; no step that has an output is called
again); a workflow an earlier run left failed is first rewound to its first failed step (`DBOS.rewind_workflow`),
so the rerun retries the document from there as the Prefect peers' reruns do; documents the results file already
has a line for are skipped, as a user's script would, since their workflows would only return their recorded result
and the document would get a second line.
Prints one JSON line: seconds, cpu_seconds, documents, failed, first_failure, already_written.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID

from agentic_kit._domain.models.common import Review, content_id
from agentic_kit._domain.models.documents import EntityList, EntityType, Summary
from bench.child import run_child
from bench.peer_batch import SETTINGS, ask, enrich_entity, timed
from bench.peer_output import results_path, written_documents
from bench.runs import PEER_DATABASE_VARIABLE
from flows.document_pipeline import ENRICHABLE_TYPES
from tasks.documents.agents import WHOLE_DOCUMENT, extract_request, review_request, summarize_request
from tasks.documents.tools import MAX_ENRICHMENTS_AT_ONCE


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


async def enrich_each(entities: EntityList, call: Callable[[str, EntityType], Awaitable[Any]]) -> int:
    """call once per distinct enrichable entity, in sorted order, MAX_ENRICHMENTS_AT_ONCE at a time; how many."""
    distinct = sorted({(e.name, e.type) for e in entities.entities if e.type in ENRICHABLE_TYPES})
    limit = asyncio.Semaphore(MAX_ENRICHMENTS_AT_ONCE)

    async def one(name: str, kind: EntityType) -> None:
        async with limit:
            await call(name, kind)

    await asyncio.gather(*(one(name, kind) for name, kind in distinct))
    return len(distinct)


@DBOS.workflow(name="process_document")
async def process_document(text: str) -> dict[str, Any]:
    """Extract, enrich each entity, summarize, review."""
    entities = await extract_entities(text)
    enriched = await enrich_each(entities, enrich)
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
    """Launch DBOS in this loop, rewind failed workflows, then every document without a result line, concurrency
    at once, each result appended as it comes (process_folder, skipping what is written)."""
    DBOS.launch()
    raws = [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
    written = written_documents(SETTINGS.export_folder)
    pending = [raw for raw in raws if content_id(raw) not in written]
    await rewind_failed({content_id(raw) for raw in pending})
    path = results_path(SETTINGS.export_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    limit = asyncio.Semaphore(concurrency)

    async def one(raw: bytes) -> None:
        async with limit:
            result = await process(raw.decode())
        with path.open("a") as results:
            results.write(json.dumps({"document": content_id(raw), **result}) + "\n")

    outcomes = await asyncio.gather(*(one(raw) for raw in pending), return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {"documents": len(raws), "failed": len(failures), "first_failure": failures[0] if failures else None,
            "already_written": len(raws) - len(pending)}


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
