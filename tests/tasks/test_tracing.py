"""Traces: one GenAI span per model call, under a span per document and per flow run, with the Prefect ids, sent
over OTLP/HTTP to a real receiver; with no endpoint set nothing is sent."""

from __future__ import annotations

import os
from pathlib import Path

from agentic_kit.testing import ModelServer, OtlpReceiver
from tests.conftest import run_python

DOCUMENTS = 2
MODEL_STEPS_PER_DOCUMENT = 3


def _write_documents(folder: Path) -> Path:
    folder.mkdir()
    for number in range(DOCUMENTS):
        (folder / f"note-{number}.txt").write_text(f"Ingrid Halvorsen of Halvorsen Analytics met Oslo Port "
                                                   f"Authority about contract {number} on 3 May 2026.")
    return folder


def _run(folder: Path, model: ModelServer, extra: dict[str, str]) -> None:
    env = {"AGENTIC_MODEL_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": f"{model.url}/v1",
           "OPENAI_API_KEY": "test-key", "AGENTIC_MODEL": "test-model", **extra}
    result = run_python("-m", "flows.document_pipeline", str(folder), env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_model_calls_are_spans_under_their_document_and_flow_run(tmp_path: Path) -> None:
    folder = _write_documents(tmp_path / "documents")
    with ModelServer() as model, OtlpReceiver() as receiver:
        assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in os.environ
        _run(folder, model, {})
        assert receiver.requests == 0, "with no endpoint set nothing is sent"

        _run(folder, model, {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                             "AGENTIC_DATABASE_URL": f"sqlite:///{tmp_path / 'second.db'}",
                             "PREFECT_LOCAL_STORAGE_PATH": str(tmp_path / "second-results")})
    calls = [span for span in receiver.spans if span.attributes.get("gen_ai.operation.name") == "chat"]
    by_id = {span.span_id: span for span in receiver.spans}
    print(f"documents={DOCUMENTS} model requests={model.log.count()} spans={len(receiver.spans)} "
          f"model-call spans={len(calls)}")
    assert len(calls) == DOCUMENTS * MODEL_STEPS_PER_DOCUMENT == model.log.count(outcome="ok") // 2
    for span in calls:
        assert span.name == "chat test-model"
        assert span.attributes["gen_ai.request.model"] == "test-model"
        assert span.attributes["gen_ai.response.model"]
        assert span.attributes["gen_ai.usage.input_tokens"] > 0 and span.attributes["gen_ai.usage.output_tokens"] > 0
        assert span.attributes["gen_ai.response.finish_reasons"] == ["stop"]
        assert span.attributes["prefect.task_run.id"] and span.attributes["prefect.flow_run.id"]
        assert "gen_ai.input.messages" not in span.attributes, "prompts are not exported by default"
        document = by_id[span.parent_span_id]
        assert document.name == "document" and len(document.attributes["agentic.document.id"]) == 64
        flow_run = by_id[document.parent_span_id]
        assert flow_run.name == "document-pipeline"
        assert flow_run.attributes["prefect.flow_run.id"] == span.attributes["prefect.flow_run.id"]
