"""Each peer of the bench, on 3 documents against the test servers, sends the baseline's requests and writes a
result line for every document."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentic_kit._domain.models.common import content_id
from agentic_kit.testing import EnrichmentServer, ModelServer, RequestRecord
from bench.documents import write_documents
from bench.peer_output import written_documents
from bench.peers import WITH_A_DATABASE
from bench.runs import PEER_DATABASE_VARIABLE
from tests.conftest import run_python
from tests.support.postgres import postgres_database

DOCUMENTS = 3


def counted(records: list[RequestRecord], by: str) -> Counter[str]:
    """Requests counted by fingerprint (the exact body) or by key (the step)."""
    return Counter(getattr(record, by) for record in records)


@pytest.fixture
def peer_database() -> Iterator[str]:
    """A scratch PostgreSQL database for the peers that keep their durable state in one (skipped without a server)."""
    yield from postgres_database()


@pytest.mark.parametrize(("module", "model_requests_by"), [
    ("bench.peer_naive_prefect", "fingerprint"),  # the same bodies as the baseline
    ("bench.peer_pydantic_ai", "key"),  # pydantic-ai builds its own bodies: as many requests per step
    ("bench.peer_langgraph", "fingerprint"),  # the naive peer's calls in checkpointed LangGraph nodes
    ("bench.peer_dbos", "fingerprint"),  # the naive peer's calls as DBOS steps, one workflow per document
])
def test_a_peer_sends_the_baselines_requests(module: str, model_requests_by: str, model_server: ModelServer,
                                             enrichment_server: EnrichmentServer, isolated_state: Path,
                                             request: pytest.FixtureRequest) -> None:
    folder = write_documents(isolated_state / "documents", DOCUMENTS)
    env = {"AGENTIC_MODEL_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": f"{model_server.url}/v1",
           "OPENAI_API_KEY": "test-key", "AGENTIC_MODEL": "test-model", "AGENTIC_ENRICHMENT_URL": enrichment_server.url}
    if module in WITH_A_DATABASE:
        env[PEER_DATABASE_VARIABLE] = request.getfixturevalue("peer_database")
    baseline = run_python("-m", "bench.baseline", str(folder), env=env)
    assert baseline.returncode == 0, baseline.stderr[-2000:]
    marks = len(model_server.log.records), len(enrichment_server.log.records)

    peer = run_python("-m", module, str(folder), env=env)

    assert peer.returncode == 0, peer.stderr[-2000:]
    assert json.loads(peer.stdout.splitlines()[-1])["failed"] == 0
    model, enrichment = model_server.log.records, enrichment_server.log.records
    assert len(model) - marks[0] == 3 * DOCUMENTS
    assert counted(model[marks[0]:], model_requests_by) == counted(model[:marks[0]], model_requests_by)
    assert counted(enrichment[marks[1]:], "fingerprint") == counted(enrichment[:marks[1]], "fingerprint")
    assert written_documents(isolated_state / "exports") == {content_id(p.read_bytes()) for p in folder.iterdir()}


def _task_runs(log: str, state: str) -> int:
    """Task runs Prefect's log says ended in state."""
    return sum("Task run" in line and f"Finished in state {state}" in line for line in log.splitlines())


def test_the_prefect_floor_runs_five_cached_task_runs_a_document_and_calls_nothing(
        model_server: ModelServer, enrichment_server: EnrichmentServer, isolated_state: Path) -> None:
    folder = write_documents(isolated_state / "documents", DOCUMENTS)
    env = {"AGENTIC_ENRICHMENT_URL": enrichment_server.url, "PREFECT_LOGGING_LEVEL": "INFO"}

    first = run_python("-m", "bench.peer_prefect_floor", str(folder), env=env)
    again = run_python("-m", "bench.peer_prefect_floor", str(folder), env=env)

    assert first.returncode == 0 and again.returncode == 0, first.stderr[-2000:] + again.stderr[-2000:]
    figures = json.loads(first.stdout.splitlines()[-1])
    assert figures["failed"] == 0 and figures["documents"] == DOCUMENTS and figures["cpu_seconds"] > 0
    assert _task_runs(first.stderr, "Completed()") == 5 * DOCUMENTS, "five task runs a document"
    assert _task_runs(again.stderr, "Cached(") == 5 * DOCUMENTS, "persisted and cached on its inputs"
    assert model_server.log.records == [] and enrichment_server.log.records == []
    assert written_documents(isolated_state / "exports") == {content_id(p.read_bytes()) for p in folder.iterdir()}
