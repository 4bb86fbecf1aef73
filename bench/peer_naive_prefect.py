"""Peer: the workload as a Prefect user writes it from the docs, `python -m bench.peer_naive_prefect FOLDER`.

One `@task` per step with retries, retry_delay_seconds, timeout_seconds, `cache_policy=INPUTS + TASK_SOURCE` and
`persist_result=True`; the openai and httpx clients; the documents awaited together with `asyncio.gather`, 16 at
once, in one flow; one task per entity enrichment. The request bodies are the baseline's (`render_messages`, the
same response formats and max_tokens), so the bench checks it sends exactly the baseline's requests.
Prints one JSON line: seconds, documents, failed, first_failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from agentic_kit._domain.models.common import Review
from agentic_kit._domain.models.documents import EntityList, Summary
from bench.child import run_child
from bench.peer_batch import MODEL_RETRIES, ask, enrich_all, process_folder, timed
from tasks.documents.agents import WHOLE_DOCUMENT, extract_request, review_request, summarize_request


@task(name="extract_entities", cache_policy=INPUTS + TASK_SOURCE, persist_result=True, **MODEL_RETRIES)
async def extract_entities(text: str) -> EntityList:
    """The entities of a document."""
    return await ask(extract_request(text), EntityList)


@task(name="summarize", cache_policy=INPUTS + TASK_SOURCE, persist_result=True, **MODEL_RETRIES)
async def summarize(text: str) -> Summary:
    """A short summary of a document."""
    return await ask(summarize_request(text), Summary)


@task(name="review", cache_policy=INPUTS + TASK_SOURCE, persist_result=True, **MODEL_RETRIES)
async def review_summary(summary: str, text: str) -> Review:
    """A judge's score of the summary against the document."""
    return await ask(review_request(summary, text, WHOLE_DOCUMENT), Review)


async def process_document(text: str) -> dict[str, Any]:
    """Extract, enrich each entity, summarize, review."""
    entities = await extract_entities(text)
    enriched = await enrich_all(entities)
    summary = await summarize(text)
    review = await review_summary(summary.summary, text)
    return {"entities": len(entities.entities), "enriched": enriched, "summary": summary.summary,
            "score": review.score}


@flow(name="peer-naive-prefect")
async def naive_batch(folder: str, concurrency: int) -> dict[str, Any]:
    """Every document of the folder, concurrency at once."""
    return await process_folder(Path(folder), concurrency, process_document)


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """The flow over folder, timed."""
    return await timed(naive_batch(str(folder), concurrency))


if __name__ == "__main__":
    run_child(run, __doc__)
