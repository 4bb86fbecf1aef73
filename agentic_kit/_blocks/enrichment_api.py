"""The enrichment-API block and its HTTP client: what an outside service knows about an entity.

The contract (served by `examples/enrichment_service`): POST {base_url}/enrich with
{"name": ..., "type": ...} answers 200 with {"found": bool, "canonical_name", "description", "url", ...}.
"""

from __future__ import annotations

import asyncio

import httpx
from prefect.blocks.core import Block
from pydantic import Field, SecretStr, model_validator

from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.resilience.dependency_limits import DependencyLimits
from agentic_kit._blocks.resilience.transport_errors import from_httpx
from agentic_kit._domain import errors
from agentic_kit._domain.models.documents import Enrichment, Entity
from agentic_kit._domain.redaction import register_secret, register_url_credentials
from agentic_kit._domain.settings import current_settings


class EnrichmentApi(Block):
    """An HTTP service that enriches entities; with no base URL, enrichment is skipped."""

    _block_type_name = "Enrichment API"
    _description = "The HTTP API the enrich step calls for each entity (POST {base_url}/enrich)."

    base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:8765; empty skips enrichment.")
    token: SecretStr | None = Field(default=None, description="Sent as a bearer token when set.")
    timeout_seconds: float = Field(default=10.0, gt=0, description="The client timeout of one call.")
    max_concurrent_calls: int | None = Field(
        default=None, ge=1, description="At most this many calls at once, across all workers (`make deploy`).")
    requests_per_minute: int | None = Field(
        default=None, ge=1, description="At most this many calls a minute, across all workers (`make deploy`).")
    breaker: BreakerSettings = Field(
        default_factory=BreakerSettings,
        description="When this API's circuit opens (shared by all workers) and how long it stays open.")

    @model_validator(mode="after")
    def _secrets_redacted(self) -> EnrichmentApi:
        """Its token (and any credential in its URL) is hidden from every message from now on, built or loaded."""
        register_secret(self.token)
        register_url_credentials(self.base_url)
        return self

    @classmethod
    def from_environment(cls) -> EnrichmentApi:
        """The API AGENTIC_ENRICHMENT_URL names (and AGENTIC_ENRICHMENT_TOKEN authorises), or none."""
        settings = current_settings()
        return cls(base_url=settings.enrichment_url or None, token=settings.enrichment_token)

    @property
    def configured(self) -> bool:
        """Whether there is an API to call at all."""
        return bool(self.base_url)

    def cache_identity(self) -> str | None:
        """What shapes this API's answers: where it is."""
        return self.base_url

    def limits(self) -> DependencyLimits:
        """This API's rate and concurrency limits."""
        return DependencyLimits(dependency="tool-enrichment", max_concurrent_calls=self.max_concurrent_calls,
                                requests_per_minute=self.requests_per_minute)

    async def enrich(self, entity: Entity) -> Enrichment:
        """Ask the API about one entity; HTTP failures become our retryable or permanent errors."""
        try:
            response = await _client_for(self).post("/enrich", json={"name": entity.name, "type": entity.type})
            response.raise_for_status()
            body = response.json()
        except httpx.HTTPError as exc:
            raise from_httpx(exc, "enrichment API") from exc
        except ValueError as exc:
            raise errors.MalformedResponse(f"enrichment API answered with invalid JSON: {exc}", raw=response.text) from exc
        return Enrichment(
            name=entity.name,
            type=entity.type,
            found=bool(body.get("found")),
            canonical_name=body.get("canonical_name"),
            description=body.get("description"),
            url=body.get("url"),
        )


_clients: dict[tuple[object, ...], httpx.AsyncClient] = {}


def _client_for(api: EnrichmentApi) -> httpx.AsyncClient:
    """One pooled client per API and event loop."""
    token = api.token.get_secret_value() if api.token else None
    key = (id(asyncio.get_running_loop()), api.base_url, token, api.timeout_seconds)
    if key not in _clients:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        _clients[key] = httpx.AsyncClient(base_url=api.base_url or "", headers=headers,
                                          timeout=api.timeout_seconds)
    return _clients[key]
