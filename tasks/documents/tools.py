"""Tool steps: HTTP calls to outside APIs with the tool-call policy."""

from __future__ import annotations

import asyncio

from prefect import runtime, task

from blocks.enrichment_api import EnrichmentApi
from blocks.store import PipelineStore
from domain.models.documents import Enrichment, Entity
from tasks.cache_index import indexed
from tasks.calls import enrich_one
from tasks.policies import TOOL_CALL

MAX_ENRICHMENTS_AT_ONCE = 16
"""A document's enrichment calls in flight at once: a long contract names hundreds of entities, and an API asked
about all of them at the same moment answers late or not at all."""

_answered_so_far: dict[str, dict[tuple[str, str], Enrichment]] = {}
"""Answers an enrich-entities task run received, kept across its retries (by task run id) and dropped at its end."""


@indexed
@task(name="enrich-entities", task_run_name="enrich-entities[{document_id:.12}]", **TOOL_CALL)
async def enrich_entities(document_id: str, entities: list[Entity], api: EnrichmentApi,
                          store: PipelineStore) -> list[Enrichment]:
    """Enrich a document's entities, MAX_ENRICHMENTS_AT_ONCE at a time: one task run per document, since one per
    entity adds no reliability (a retry reuses the answers its earlier attempts received and asks only for the
    rest)."""
    run_id = str(runtime.task_run.id)
    answered = _answered_so_far.setdefault(run_id, {})
    limit = asyncio.Semaphore(MAX_ENRICHMENTS_AT_ONCE)

    async def enrich(entity: Entity) -> Enrichment:
        key = (entity.name, entity.type)
        if key not in answered:
            async with limit:
                answered[key] = await enrich_one(entity, api, store)
        return answered[key]

    results = await asyncio.gather(*(enrich(entity) for entity in entities), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        raise failures[0]
    del _answered_so_far[run_id]
    return [result for result in results if isinstance(result, Enrichment)]
