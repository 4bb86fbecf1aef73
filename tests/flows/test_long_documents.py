"""Documents longer than the model's window: read in parts that fit, resumable part by part, under a token rate."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelUsageRow
from agentic_kit.testing import Fault, ModelServer
from deployments.concurrency import ensure_concurrency_limits
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport
from tests.conftest import REPO_ROOT, run_python
from tests.support.kills import answering_again, killed_after_answers
from tests.support.long_documents import long_document, long_document_server, page_company

pytestmark = pytest.mark.e2e

WINDOW = 16_000
PAGES = 300
PRICES = {"AGENTIC_PRICE_INPUT": "1.0", "AGENTIC_PRICE_CACHED_INPUT": "0.1", "AGENTIC_PRICE_OUTPUT": "2.0"}


@pytest.fixture
def windowed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    """A model server with a 16k context window, named by the pipeline's environment (no enrichment API)."""
    with long_document_server(WINDOW) as server:
        monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("AGENTIC_MODEL", "test-model")
        monkeypatch.setenv("AGENTIC_MODEL_CONTEXT_WINDOW", str(WINDOW))
        for name, value in PRICES.items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def long_file(tmp_path: Path) -> Path:
    """The generated 300-page document as a file."""
    path = tmp_path / "ledger-300-pages.txt"
    path.write_text(long_document(PAGES))
    return path


def _usage_rows() -> list[ModelUsageRow]:
    with Session(PipelineStore.from_environment().engine()) as session:
        return list(session.exec(select(ModelUsageRow)).all())


async def test_a_300_page_document_goes_through_a_16k_window_in_parts(windowed_server: ModelServer,
                                                                      long_file: Path) -> None:
    windowed_server.faults.push(Fault.GARBAGE, times=1, match="EntityList")  # one repair round re-sends a prefix

    state = await document_pipeline(paths=[str(long_file)], return_state=True)
    report = await state.aresult()

    assert isinstance(report, PipelineReport) and state.is_completed(), state.message
    outcome = report.outcomes[0]
    names = {entity.name for entity in outcome.entities}
    print(f"pages={PAGES} parts={outcome.chunks} model requests={len(windowed_server.log.records)} "
          f"largest request={windowed_server.largest_prompt_tokens:,} prompt tokens + 1,024, window={WINDOW:,}")
    assert outcome.status == "processed" and outcome.chunks > 5
    assert not [r for r in windowed_server.log.records if r.status == 400], "no request was refused for its length"
    assert windowed_server.largest_prompt_tokens + LanguageModel().max_output_tokens <= WINDOW
    assert {page_company(1), page_company(PAGES)} <= names, "entities of the first and the last page"
    assert len(names) == PAGES, "every page's company once, the overlaps merged"
    assert outcome.summary and outcome.review is not None
    assert outcome.model_calls == 2 * outcome.chunks + 2, "extract and summarize each part, combine, review"
    rows = _usage_rows()
    cached = [row for row in rows if row.cached_input_tokens]
    assert len(cached) == 1 and cached[0].step == "extract_entities", "the repair round's prefix came from cache"
    row = cached[0]
    expected = ((row.input_tokens - row.cached_input_tokens) * 1.0 + row.cached_input_tokens * 0.1
                + row.output_tokens * 2.0) / 1_000_000
    assert row.cost_usd == pytest.approx(expected), "cached input tokens are priced at the cached-input price"


def test_a_run_killed_among_the_parts_resumes_at_the_part_where_it_stopped(windowed_server: ModelServer,
                                                                           long_file: Path) -> None:
    windowed_server.faults.latency = 0.2
    command = ["-m", "flows.document_pipeline", "--path", str(long_file), "--max-concurrent-chunks", "2"]
    finished = killed_after_answers(windowed_server, command, 5)
    resumed_from = answering_again(windowed_server)

    rerun = run_python(*command)

    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    after = [r for r in windowed_server.log.ok() if r.started >= resumed_from]
    repeated = finished & {r.fingerprint for r in after}
    print(f"documents=1 pages={PAGES} part calls finished before the kill={len(finished)} "
          f"calls after resuming={len(after)} repeated={len(repeated)}")
    assert 5 <= len(finished) < 10, "the kill came in the middle of the parts"
    assert repeated == set(), "a part call that finished before the kill was made again"


TOKENS_PER_MINUTE = 120_000
TPM_WINDOW = 8_192


def test_a_tokens_per_minute_limit_holds_across_two_processes(windowed_server: ModelServer, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_MODEL_TOKENS_PER_MINUTE", str(TOKENS_PER_MINUTE))
    monkeypatch.setenv("AGENTIC_MODEL_CONTEXT_WINDOW", str(TPM_WINDOW))
    asyncio.run(ensure_concurrency_limits(LanguageModel.from_environment().limits().specs()))
    folders = []
    for worker in range(2):
        folder = tmp_path / f"worker-{worker}"
        folder.mkdir()
        for n in range(3):
            (folder / f"doc-{n}.txt").write_text(long_document(pages=4, seed=100 * worker + n))
        folders.append(folder)
    started = time.time()
    runs = [subprocess.Popen([sys.executable, "-m", "flows.document_pipeline", str(folder)], cwd=REPO_ROOT,
                             env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for folder in folders]
    outputs = [run.communicate(timeout=240)[0] for run in runs]

    assert all(run.returncode == 0 for run in runs), "\n".join(o[-2000:] for o in outputs)
    records = sorted(windowed_server.token_log, key=lambda r: r.received)
    rate, burst = TOKENS_PER_MINUTE / 60, TPM_WINDOW
    worst = max(sum(r.rate_tokens for r in records[i:j + 1]) - (burst + rate * (records[j].received - records[i].received))
                for i in range(len(records)) for j in range(i, len(records)))
    total = sum(r.rate_tokens for r in records)
    span = records[-1].received - records[0].received
    print(f"processes=2 documents=6 calls={len(records)} tokens={total:,} over {span:.1f} s "
          f"(limit {TOKENS_PER_MINUTE:,}/min, burst {burst:,}); worst excess over the bucket={worst:,.0f}")
    assert len(records) == 18 and started < records[0].received
    assert worst <= 0, "some interval carried more tokens than the limit's burst plus its rate allows"
    assert span >= 0.8 * (total - burst) / rate, "the calls were paced by the limit"
