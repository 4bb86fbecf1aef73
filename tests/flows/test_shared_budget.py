"""The shared model budget: two pipeline processes under one budget spend at most the budget plus one call's
estimate together; the documents it stopped wait as dead letters of type budget, the exhaustion is announced once,
`agentic budget show` says what the store says, and once the period rolls over a replay processes them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from agentic_kit._blocks.budget_tables import BudgetPeriodRow
from agentic_kit._blocks.dead_letters import BUDGET_ERROR_TYPE, DeadLetters
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from agentic_kit._domain.events import BUDGET_EXHAUSTED
from agentic_kit._domain.models.documents import ReplayReport
from agentic_kit._operate.cli.app import app
from agentic_kit.testing import ModelServer
from flows.dead_letter_replay import dead_letter_replay
from flows.document_pipeline import document_pipeline
from tests.conftest import REPO_ROOT, wait_for_events
from tests.support.budgets import save_budget, saved_budget
from tests.support.postgres import postgres_answers, postgres_database

PRICED_MODEL = "budget-test-model"
PRICE_PER_MILLION = 1000.0
"""USD per million tokens, in and out: a call of a few hundred tokens costs tenths of a dollar."""
MAX_OUTPUT_TOKENS = 100
MAX_USD = 2.2
PROCESSES = 2
DOCUMENTS_PER_PROCESS = 2
PIPELINE = document_pipeline.name


def _texts(process: int) -> list[str]:
    return [f"Report {process}-{n}: Amara Okafor of Northwind Traders met Lukas Brandt in Hamburg on {n} March 2025 "
            f"to sign a {n * 10}-million-euro freight contract with Kestrel Freight."
            for n in range(1, DOCUMENTS_PER_PROCESS + 1)]


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineStore]:
    """The store many workers share: a fresh PostgreSQL database when one answers, else the test's SQLite file (the
    ledger's statements are shown on both in tests/blocks/test_budget_ledger.py; one pipeline scenario is enough)."""
    if not postgres_answers():
        yield PipelineStore.from_environment()
        return
    for url in postgres_database():
        monkeypatch.setenv("AGENTIC_DATABASE_URL", url)
        yield PipelineStore(database_url=SecretStr(url))


@pytest.fixture
async def priced_model(model_server: ModelServer) -> LanguageModel:
    """A saved model block pointing at the test model server, with prices."""
    model = LanguageModel(provider="openai-compatible", model="test-model", base_url=f"{model_server.url}/v1",
                          api_key=SecretStr("test-key"), timeout_seconds=5, max_output_tokens=MAX_OUTPUT_TOKENS,
                          input_price_per_million=PRICE_PER_MILLION, output_price_per_million=PRICE_PER_MILLION)
    await model.save(PRICED_MODEL, overwrite=True)
    return model


@pytest.fixture
async def budget() -> AsyncIterator[ModelBudget]:
    """The document pipeline's budget for the test's processes; its periods start now, so the period is the test's."""
    async with saved_budget(ModelBudget(pipeline=PIPELINE, max_usd=MAX_USD, period_start=utc_now())) as saved:
        yield saved


def _run_pipelines_at_once() -> list[str]:
    """PROCESSES pipeline processes, each with its own documents, started together; what each one printed."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "flows.document_pipeline", "--language-model", PRICED_MODEL,
                          *(arg for text in _texts(p) for arg in ("--text", text))],
                         cwd=REPO_ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
        for p in range(PROCESSES)]
    outputs = []
    for process in processes:
        output, _ = process.communicate(timeout=180)
        assert process.returncode in (0, 1), output[-3000:]
        outputs.append(output)
    return outputs


def _usage(store: PipelineStore) -> tuple[int, float]:
    with Session(store.engine()) as session:
        calls, cost = session.exec(select(func.count(), func.coalesce(func.sum(ModelUsageRow.cost_usd), 0.0))).one()
    return calls, float(cost)


def _period(store: PipelineStore, budget: ModelBudget) -> BudgetPeriodRow:
    with Session(store.engine()) as session:
        row = session.get(BudgetPeriodRow, (PIPELINE, budget.period_bounds(utc_now())[0]))
    assert row is not None
    return row


def _processed(store: PipelineStore) -> int:
    with Session(store.engine()) as session:
        return session.exec(select(func.count()).where(DocumentRow.status == "processed")).one()


async def test_two_processes_share_one_budget_and_the_documents_it_stopped_are_replayed_after_the_reset(
    store: PipelineStore, priced_model: LanguageModel, budget: ModelBudget, model_server: ModelServer,
) -> None:
    documents = PROCESSES * DOCUMENTS_PER_PROCESS
    outputs = _run_pipelines_at_once()

    calls, spent = _usage(store)
    largest_estimate = max(r.rate_tokens for r in model_server.token_log) * PRICE_PER_MILLION / 1e6
    period = _period(store, budget)
    print(f"{PROCESSES} processes, {documents} documents: {calls} calls made, spent ${spent:.4f} of a "
          f"${MAX_USD:.2f} budget (one call's estimate at most ${largest_estimate:.4f}); {period.refused} calls "
          f"refused, {_processed(store)} documents processed")
    assert 0 < spent <= MAX_USD + largest_estimate
    assert period.refused > 0, "the budget ran out before the documents did:\n" + "\n".join(o[-3000:] for o in outputs)
    assert period.spent_usd == pytest.approx(spent) and period.calls == calls
    assert period.reserved_usd == pytest.approx(0.0, abs=1e-9) and period.reserved_tokens == 0

    letters = DeadLetters(store).list(status="open")
    assert letters and {letter.error_type for letter in letters} == {BUDGET_ERROR_TYPE}
    assert len(letters) + _processed(store) == documents, "every document was processed or waits for the budget"

    events = [event for event in await wait_for_events(BUDGET_EXHAUSTED)
              if event.payload.get("period_start") == period.period_start.isoformat()]
    assert len(events) == 1, "announced once for the pipeline and period, whichever process was refused first"
    assert events[0].resource.id == f"agentic.budget.{PIPELINE}"

    shown = await asyncio.to_thread(CliRunner().invoke, app, ["budget", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    (status,) = [s for s in json.loads(shown.stdout) if s["pipeline"] == PIPELINE]
    assert status["spent_usd"] == pytest.approx(period.spent_usd) and status["calls"] == period.calls
    assert status["spent_tokens"] == period.spent_tokens and status["reserved_usd"] == pytest.approx(0, abs=1e-9)
    assert status["left_usd"] == pytest.approx(MAX_USD - period.spent_usd) and status["refused"] == period.refused

    held = await dead_letter_replay(error_type=BUDGET_ERROR_TYPE, language_model=PRICED_MODEL, return_state=True)
    assert (await held.aresult()).items == [], "within the period, budget dead letters wait"

    await save_budget(ModelBudget(pipeline=PIPELINE, max_usd=MAX_USD, period_start=utc_now() - timedelta(days=1)))
    state = await dead_letter_replay(error_type=BUDGET_ERROR_TYPE, language_model=PRICED_MODEL, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, ReplayReport), state.message
    print(f"after the reset: {report.headline()}; {_processed(store)} of {documents} documents processed")
    assert report.count("replayed") == len(letters) and state.is_completed()
    assert _processed(store) == documents and DeadLetters(store).list(status="open") == []
