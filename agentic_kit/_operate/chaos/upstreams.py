"""The servers a session's pipeline talks to: an OpenAI-compatible model server and the enrichment API, faulted.

Both come from agentic_kit.testing: the model server answers each request from its JSON schema, so any
pipeline's model steps get valid answers without a responder written for them; the enrichment server answers from
the bundled entity catalog. Each draws its faults from its own seed (the session's seed, offset per server), so
a session is repeatable as far as the pipeline's concurrency lets it be. Both log every request with its
fingerprint (the hash of its canonical JSON body), which is what the audit counts repeats by.

Before a kill both are held (new requests wait at their gate) for a moment, so answers already delivered have
time to be saved; what was held is answered after the kill, to a process that no longer exists, and the audit
knows those answers were never delivered (agentic_kit/_operate/chaos/audit.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from agentic_kit._operate.chaos.settings import FAULT_MIX, MODEL_NAME, SLOW_SECONDS
from agentic_kit.testing import EnrichmentServer, Fault, ModelServer, RequestLog, StubServer


@dataclass
class Upstreams:
    """The model server and the enrichment server of one session."""

    model: ModelServer
    enrichment: EnrichmentServer

    def environment(self) -> dict[str, str]:
        """The variables that point a pipeline run at these servers."""
        return {
            "AGENTIC_MODEL_PROVIDER": "openai-compatible",
            "OPENAI_BASE_URL": f"{self.model.url}/v1",
            "OPENAI_API_KEY": "test",
            "AGENTIC_MODEL": MODEL_NAME,
            "AGENTIC_ENRICHMENT_URL": self.enrichment.url,
        }

    def logs(self) -> dict[str, RequestLog]:
        """The request logs, by server name."""
        return {"model": self.model.log, "enrichment": self.enrichment.log}

    @contextmanager
    def held(self, settle_seconds: float) -> Iterator[None]:
        """Hold new requests on both servers, wait settle_seconds, and let them through when the block ends."""
        self.model.faults.hold()
        self.enrichment.faults.hold()
        try:
            time.sleep(settle_seconds)
            yield
        finally:
            self.model.faults.release()
            self.enrichment.faults.release()


def inject_faults(server: StubServer, fault_rate: float, mix: dict[Fault, float], seed: int, offset: int) -> None:
    """Fail fault_rate of the server's requests, kinds weighted by mix, drawn from the session's seed offset for this
    server; a SLOW fault outlasts the call timeouts."""
    server.faults.slow_seconds = SLOW_SECONDS
    if fault_rate > 0 and any(mix.values()):
        server.faults.random_mix(fault_rate, mix, seed * 10 + offset)


@contextmanager
def upstreams(fault_rate: float, seed: int, mix: dict[Fault, float] = FAULT_MIX,
              host: str = "127.0.0.1") -> Iterator[Upstreams]:
    """Both servers on host, each failing fault_rate of its requests (seeded), stopped when the block ends."""
    with ModelServer().on(host) as model, EnrichmentServer().on(host) as enrichment:
        for offset, server in enumerate((model, enrichment)):
            inject_faults(server, fault_rate, mix, seed, offset)
        yield Upstreams(model, enrichment)
