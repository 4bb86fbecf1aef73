"""The stub servers a session's pipeline talks to, with their faults: the kit's model and enrichment servers, and
the publish-notification receiver."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from agentic_kit._operate.chaos.upstreams import Upstreams, inject_faults
from agentic_kit._operate.chaos.upstreams import upstreams as model_and_enrichment
from agentic_kit.testing import Fault, PublishSink, RequestLog
from chaos.settings import ChaosSettings

NOT_FOR_THE_RECEIVER = frozenset({Fault.GARBAGE})
"""The stub's GARBAGE is a 200 that applies nothing: a receiver that says yes and drops the message, which no
sender can tell from a delivery. The receiver's faults are the others: 429, 500, slow and dropped connections."""
RECEIVER_SEED_OFFSET = 2
"""The receiver draws its faults from the session's seed offset past the model's (0) and the enrichment's (1)."""


@dataclass
class DocumentUpstreams(Upstreams):
    """The kit's model and enrichment servers, and the publish-notification receiver."""

    sink: PublishSink

    def environment(self) -> dict[str, str]:
        """The variables that point the pipeline at these servers."""
        return {**super().environment(), "AGENTIC_PUBLISH_WEBHOOK_URL": self.sink.notify_url}

    def logs(self) -> dict[str, RequestLog]:
        """The request logs of the servers that inject faults, by name."""
        return {**super().logs(), "sink": self.sink.log}

    def published_notifications(self) -> int:
        """Publish notifications the receiver applied (once per idempotency key)."""
        return sum(self.sink.effects().values())


@contextmanager
def upstreams(settings: ChaosSettings, host: str = "127.0.0.1") -> Iterator[DocumentUpstreams]:
    """The three servers on host, faulted as the settings say (each its own seed), stopped at the end."""
    with (model_and_enrichment(settings.fault_rate, settings.seed, settings.mix, host) as servers,
          PublishSink().on(host) as sink):
        receiver_mix = {kind: weight for kind, weight in settings.mix.items() if kind not in NOT_FOR_THE_RECEIVER}
        inject_faults(sink, settings.sink_fault_rate, receiver_mix, settings.seed, RECEIVER_SEED_OFFSET)
        yield DocumentUpstreams(servers.model, servers.enrichment, sink)
