"""Health checks: can each dependency of the pipelines answer right now? Each raises when it cannot."""

from __future__ import annotations

import asyncio

import httpx
from prefect import get_client, task

from agentic_kit._blocks.enrichment_api import EnrichmentApi
from agentic_kit._blocks.language_model import OFFLINE, LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.redaction import redacted_url
from agentic_kit._steps.policies import HEALTH_CHECK, HEALTH_CHECK_TIMEOUT_SECONDS


async def _get_ok(url: str, headers: dict[str, str] | None = None) -> str:
    """GET url and raise unless it answers 2xx; return a short description."""
    async with httpx.AsyncClient(timeout=HEALTH_CHECK_TIMEOUT_SECONDS) as client:
        response = await client.get(url, headers=headers)
        response.raise_for_status()
    return f"{redacted_url(url)} answered {response.status_code}"




@task(name="check-model", **HEALTH_CHECK)
async def check_model(model: LanguageModel) -> str:
    """The model endpoint lists its models (the offline model is always there)."""
    if model.provider == OFFLINE:
        return "offline model (built in)"
    base = (model.base_url or "https://api.openai.com/v1").rstrip("/")
    key = model.api_key.get_secret_value() if model.api_key else None
    return await _get_ok(f"{base}/models", {"Authorization": f"Bearer {key}"} if key else None)


@task(name="check-enrichment", **HEALTH_CHECK)
async def check_enrichment(api: EnrichmentApi) -> str:
    """The enrichment API answers its health endpoint (or none is configured)."""
    if not api.configured:
        return "not configured (enrichment is skipped)"
    return await _get_ok(f"{api.base_url.rstrip('/')}/health")  # type: ignore[union-attr]


@task(name="check-store", **HEALTH_CHECK)
async def check_store(store: PipelineStore) -> str:
    """The pipeline store answers a query."""
    await asyncio.to_thread(store.ping)
    return f"{store.engine().dialect.name} answers"


@task(name="check-prefect-api", **HEALTH_CHECK)
async def check_prefect_api() -> str:
    """The Prefect API answers its health check."""
    async with get_client() as client:
        error = await client.api_healthcheck()
    if error:
        raise error
    return "healthy"
