"""Tool steps: HTTP calls to outside APIs with the tool-call policy."""

from __future__ import annotations

import asyncio

from prefect import runtime

from agentic_kit import EnrichmentApi, guarded, tool_step
from agentic_kit.models import Enrichment, Entity

MAX_ENRICHMENTS_AT_ONCE = 16
"""A document's enrichment calls in flight at once: a long contract names hundreds of entities, and an API asked
about all of them at the same moment answers late or not at all."""

_answered_so_far: dict[str, dict[tuple[str, str], Enrichment]] = {}
"""Answers an enrich task run received, kept across its retries (by task run id) and dropped at its end."""


@tool_step("enrich", dependency=EnrichmentApi, guard=False)
async def enrich_entities(entities: list[Entity], api: EnrichmentApi) -> list[Enrichment]:
    """Enrich a document's entities, MAX_ENRICHMENTS_AT_ONCE at a time: one task run per document, since one per
    entity adds no reliability (a retry reuses the answers its earlier attempts received and asks only for the
    rest). Each entity's call is guarded on its own: the API's turn, the tool timeout, its circuit breaker."""
    run_id = str(runtime.task_run.id)
    answered = _answered_so_far.setdefault(run_id, {})
    limit = asyncio.Semaphore(MAX_ENRICHMENTS_AT_ONCE)

    async def enrich(entity: Entity) -> Enrichment:
        key = (entity.name, entity.type)
        if key not in answered:
            async with limit:
                answered[key] = await guarded(api, "enrich", lambda: api.enrich(entity))
        return answered[key]

    results = await asyncio.gather(*(enrich(entity) for entity in entities), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        raise failures[0]
    del _answered_so_far[run_id]
    return [result for result in results if isinstance(result, Enrichment)]
