"""SLOs: a slow model breaches the latency objective; the check emits agentic.slo.breached and the automation's
notification reaches the local sink."""

from __future__ import annotations

import pytest

from agentic_kit._domain.events import SLO_BREACHED
from agentic_kit.testing import ModelServer, NotificationSink
from flows.document_pipeline import document_pipeline
from flows.slo_check import slo_check
from tests.conftest import wait_for_events

SLOW_SECONDS = 0.6
OBJECTIVE_SECONDS = 0.3


async def test_a_slow_model_breaches_the_latency_objective_and_someone_is_told(
        worker: None, sink: NotificationSink, model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AGENTIC_MODEL_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": f"{model_server.url}/v1",
                        "OPENAI_API_KEY": "test-key", "AGENTIC_MODEL": "test-model",
                        "AGENTIC_SLO_P95_SECONDS": str(OBJECTIVE_SECONDS)}.items():
        monkeypatch.setenv(name, value)
    model_server.faults.latency = SLOW_SECONDS
    await document_pipeline(texts=["Ingrid Halvorsen of Halvorsen Analytics met the Oslo Port Authority in May."],
                            return_state=True)

    state = await slo_check(return_state=True)
    readings = {(r.pipeline, r.objective): r for r in await state.aresult()}
    latency = readings[("documents", "p95_call_seconds")]
    print(f"calls={latency.samples} p95={latency.value:.2f} s objective={OBJECTIVE_SECONDS} s; {state.message}")
    assert latency.breached and latency.value >= SLOW_SECONDS
    assert not readings[("documents", "error_rate")].breached
    events = await wait_for_events(SLO_BREACHED)
    assert any(e.resource.id == "agentic.slo.documents.p95_call_seconds" for e in events)
    notification = sink.wait_for("SLO breached: documents p95_call_seconds")
    assert "p95_call_seconds" in str(notification)
