"""Tool steps: HTTP calls to outside APIs with the tool-call policy."""

from __future__ import annotations

from prefect import task

from blocks.enrichment_api import EnrichmentApi
from tasks.models import Enrichment, Entity
from tasks.policies import TOOL_CALL


@task(name="enrich-entity", task_run_name="enrich-entity[{entity.type}:{entity.name}]", **TOOL_CALL)
async def enrich_entity(entity: Entity, api: EnrichmentApi) -> Enrichment:
    """Ask the enrichment API what it knows about one entity."""
    return await api.enrich(entity)
