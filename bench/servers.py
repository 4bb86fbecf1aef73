"""The fault-injecting test servers, reused as latency-injecting stand-ins for a model and a tool API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from agentic_kit.testing import EnrichmentServer, ModelServer

DEFAULT_LATENCY_SECONDS = 0.25
MODEL_NAME = "test-model"


@dataclass
class Upstreams:
    """An OpenAI-compatible model server and the enrichment API, both on 127.0.0.1."""

    model: ModelServer
    enrichment: EnrichmentServer

    def set_latency(self, seconds: float) -> None:
        """Add this many seconds to every model and enrichment request."""
        self.model.faults.latency = self.enrichment.faults.latency = seconds

    def environment(self, offline: bool = False) -> dict[str, str]:
        """The variables that point a pipeline at these servers (the offline model when offline)."""
        if offline:
            return {"AGENTIC_MODEL_PROVIDER": "offline", "AGENTIC_ENRICHMENT_URL": self.enrichment.url}
        return {
            "AGENTIC_MODEL_PROVIDER": "openai-compatible",
            "OPENAI_BASE_URL": f"{self.model.url}/v1",
            "OPENAI_API_KEY": "bench-key",
            "AGENTIC_MODEL": MODEL_NAME,
            "AGENTIC_ENRICHMENT_URL": self.enrichment.url,
        }


@contextmanager
def upstreams(latency: float = DEFAULT_LATENCY_SECONDS) -> Iterator[Upstreams]:
    """Both servers, started with no faults and this latency, stopped at the end."""
    with ModelServer() as model, EnrichmentServer() as enrichment:
        servers = Upstreams(model, enrichment)
        servers.set_latency(latency)
        yield servers
