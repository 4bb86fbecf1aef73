"""Tool steps: HTTP calls to outside APIs with the tool-call policy."""

from __future__ import annotations

import asyncio

from prefect import task

from blocks.enrichment_api import EnrichmentApi
from tasks.models import Enrichment, Entity
from tasks.policies import POLICY, TOOL_CALL


@task(name="enrich-entity", task_run_name="enrich-entity[{entity.type}:{entity.name}]", **TOOL_CALL)
async def enrich_entity(entity: Entity, api: EnrichmentApi) -> Enrichment:
    """Ask the enrichment API what it knows about one entity: wait for its rate-limit turn, then call it
    within the tool-call timeout."""
    async with api.limits().turn():
        async with asyncio.timeout(POLICY.tool_timeout_seconds):
            return await api.enrich(entity)
