"""The stub servers a session's pipeline talks to, with their faults: the model, the enrichment API, the receiver."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from agentic_kit.testing import EnrichmentServer, Fault, ModelServer, PublishSink, RequestLog
from chaos.settings import MODEL_NAME, SLOW_SECONDS, ChaosSettings

NOT_FOR_THE_RECEIVER = frozenset({Fault.GARBAGE})
"""The stub's GARBAGE is a 200 that applies nothing: a receiver that says yes and drops the message, which no
sender can tell from a delivery. The receiver's faults are the others: 429, 500, slow and dropped connections."""


@dataclass
class Upstreams:
    """An OpenAI-compatible model server, the enrichment API and the publish-notification receiver."""

    model: ModelServer
    enrichment: EnrichmentServer
    sink: PublishSink

    def environment(self) -> dict[str, str]:
        """The variables that point the pipeline at these servers."""
        return {
            "AGENTIC_MODEL_PROVIDER": "openai-compatible",
            "OPENAI_BASE_URL": f"{self.model.url}/v1",
            "OPENAI_API_KEY": "chaos",
            "AGENTIC_MODEL": MODEL_NAME,
            "AGENTIC_ENRICHMENT_URL": self.enrichment.url,
            "AGENTIC_PUBLISH_WEBHOOK_URL": self.sink.notify_url,
        }

    def faulted_logs(self) -> dict[str, RequestLog]:
        """The request logs of the servers that inject faults, by name."""
        return {"model": self.model.log, "enrichment": self.enrichment.log, "sink": self.sink.log}

    def published_notifications(self) -> int:
        """Publish notifications the receiver applied (once per idempotency key)."""
        return sum(self.sink.effects().values())


@contextmanager
def upstreams(settings: ChaosSettings, host: str = "127.0.0.1") -> Iterator[Upstreams]:
    """The three servers on host, faulted as the settings say (each its own seed), stopped at the end."""
    with ModelServer().on(host) as model, EnrichmentServer().on(host) as enrichment, PublishSink().on(host) as sink:
        receiver_mix = {kind: weight for kind, weight in settings.mix.items() if kind not in NOT_FOR_THE_RECEIVER}
        plans = ((model, settings.fault_rate, settings.mix), (enrichment, settings.fault_rate, settings.mix),
                 (sink, settings.sink_fault_rate, receiver_mix))
        for offset, (server, rate, mix) in enumerate(plans):
            server.faults.slow_seconds = SLOW_SECONDS
            if rate > 0 and any(mix.values()):
                server.faults.random_mix(rate, mix, settings.seed * 10 + offset)
        yield Upstreams(model, enrichment, sink)
