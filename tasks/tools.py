"""Tool steps: HTTP calls to outside APIs with the tool-call policy."""

from __future__ import annotations

import asyncio

from prefect import task

from blocks.circuit_breaker import CircuitBreaker
from blocks.enrichment_api import EnrichmentApi
from blocks.store import PipelineStore
from tasks.models import Enrichment, Entity
from tasks.policies import POLICY, TOOL_CALL


@task(name="enrich-entity", task_run_name="enrich-entity[{entity.type}:{entity.name}]", **TOOL_CALL)
async def enrich_entity(entity: Entity, api: EnrichmentApi, store: PipelineStore) -> Enrichment:
    """Ask the enrichment API what it knows about one entity, through its shared circuit breaker (an open
    one fails at once), after waiting for its rate-limit turn, within the tool-call timeout."""

    async def limited_call() -> Enrichment:
        async with api.limits().turn():
            async with asyncio.timeout(POLICY.tool_timeout_seconds):
                return await api.enrich(entity)

    return await CircuitBreaker(api.limits().dependency, api.breaker, store).call(limited_call)
