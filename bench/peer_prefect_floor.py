"""The floor: what Prefect itself spends on a document's task runs, `python -m bench.peer_prefect_floor FOLDER`.

Per document the pipeline's five steps as no-op async tasks (extract, enrich, summarize, review, publish), each with
persisted results, `cache_policy=INPUTS + TASK_SOURCE`, retries and a timeout, awaited one after another, 16
documents at once in one flow; no model, no HTTP, no store. What the pipeline spends beyond this at 0 ms upstream
latency is its own bookkeeping. Prints one JSON line: seconds, cpu_seconds, documents, failed, first_failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from bench.child import run_child
from bench.peer_batch import MODEL_RETRIES, process_folder, timed

FLOOR_TASK: dict[str, Any] = {**MODEL_RETRIES, "cache_policy": INPUTS + TASK_SOURCE, "persist_result": True}


@task(name="extract_entities", **FLOOR_TASK)
async def extract_entities(text: str) -> str:
    return text[:80]


@task(name="enrich", **FLOOR_TASK)
async def enrich(entities: str) -> str:
    return entities


@task(name="summarize", **FLOOR_TASK)
async def summarize(text: str) -> str:
    return text[:200]


@task(name="review", **FLOOR_TASK)
async def review(summary: str, text: str) -> int:
    return len(summary) % 5 + 1


@task(name="publish", **FLOOR_TASK)
async def publish(entities: str, summary: str, score: int) -> bool:
    return bool(entities or summary or score)


async def process_document(text: str) -> dict[str, Any]:
    """The five task runs of one document."""
    entities = await enrich(await extract_entities(text))
    summary = await summarize(text)
    score = await review(summary, text)
    return {"published": await publish(entities, summary, score)}


@flow(name="peer-prefect-floor")
async def floor_batch(folder: str, concurrency: int) -> dict[str, Any]:
    """Every document of the folder, concurrency at once."""
    return await process_folder(Path(folder), concurrency, process_document)


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """The flow over folder, timed."""
    return await timed(floor_batch(str(folder), concurrency))


if __name__ == "__main__":
    run_child(run, __doc__)
