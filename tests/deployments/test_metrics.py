"""Metrics: a real Prometheus scrapes `python -m agentic_kit._operate.metrics` after a run with injected faults, and its
query API returns the figures the store holds (calls by outcome, tokens, dead letters)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import CallRow, DeadLetterRow, ModelUsageRow
from agentic_kit._operate.local_server import stop_process
from agentic_kit.testing import Fault, ModelServer
from flows.document_pipeline import document_pipeline
from tests.conftest import REPO_ROOT, free_port, wait_until

PROMETHEUS = shutil.which("prometheus")
TEXTS = [f"Ingrid Halvorsen of Halvorsen Analytics met the Oslo Port Authority about order {n} in May 2026."
         for n in range(4)]


def _started(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.fixture
def exporter(tmp_path: Path) -> Iterator[str]:
    """`python -m agentic_kit._operate.metrics` on a free port, reading this test's store and the session's server."""
    port = free_port()
    process = _started([sys.executable, "-m", "agentic_kit._operate.metrics"], tmp_path / "exporter.log",
                       {**os.environ, "AGENTIC_METRICS_PORT": str(port)})
    url = f"127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"http://{url}/metrics"), 60, "the metrics exporter")
        yield url
    finally:
        stop_process(process)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def prometheus(tmp_path: Path, exporter: str) -> Iterator[str]:
    """A real Prometheus scraping the exporter every second."""
    if PROMETHEUS is None:
        pytest.skip("no prometheus binary (Debian's package `prometheus`; `make test` installs it when run as root)")
    config = tmp_path / "prometheus.yml"
    config.write_text(f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agentic\n"
                      f"    static_configs:\n      - targets: ['{exporter}']\n")
    port = free_port()
    process = _started([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                        f"--web.listen-address=127.0.0.1:{port}"], tmp_path / "prometheus.log")
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/-/ready"), 60, "Prometheus")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def _query(prometheus: str, promql: str) -> dict[str, float]:
    """An instant query's result, as {first label value: value}."""
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=10).json()
    return {"|".join(r["metric"].values()): float(r["value"][1]) for r in answer["data"]["result"]}


async def test_prometheus_reads_what_the_store_holds(model_server: ModelServer, prometheus: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AGENTIC_MODEL", "test-model")
    model_server.faults.push(Fault.SERVER_ERROR, times=3, match="Summary")  # retried, then answered
    model_server.faults.push(Fault.BAD_REQUEST, times=1, match="EntityList")  # never retried: a dead letter
    await document_pipeline(texts=TEXTS, return_state=True)

    with Session(PipelineStore.from_environment().engine()) as session:
        calls = dict(session.exec(select(CallRow.outcome, func.count())
                                  .where(CallRow.kind == "model", CallRow.outcome != "cached")
                                  .group_by(CallRow.outcome)).all())
        tokens = session.exec(select(func.sum(ModelUsageRow.input_tokens))).one()
        letters = session.exec(select(func.count()).select_from(DeadLetterRow)
                               .where(DeadLetterRow.status == "open")).one()
    print(f"documents={len(TEXTS)} faults injected=4 calls by outcome={calls} input tokens={tokens} "
          f"open dead letters={letters}")
    assert calls["retried"] == 3 and calls["failed"] == 1 and letters == 1

    deadline = time.monotonic() + 60
    while not _query(prometheus, 'agentic_model_calls_total{outcome="ok"}') and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    scraped = _query(prometheus, "sum by (outcome) (agentic_model_calls_total)")
    assert {outcome: int(value) for outcome, value in scraped.items() if outcome != "cached"} == calls
    assert _query(prometheus, 'sum(agentic_tokens_total{kind="input"})') == {"": tokens}
    assert _query(prometheus, "sum(agentic_dead_letters_open)") == {"": letters}
    assert _query(prometheus, 'sum(agentic_documents_total{status="processed"})') == {"": len(TEXTS) - 1}
    durations = _query(prometheus, "sum(agentic_step_duration_seconds_count)")
    assert durations == {"": sum(calls.values())}
