"""The research budget: a run stops at its cost and says so; a killed run resumes without paying twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from pydantic import SecretStr
from sqlmodel import Session, func, select

from agentic_kit._blocks.budget_ledger import budget_status
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import BudgetChargeRow, ModelUsageRow
from agentic_kit.testing import EnrichmentServer, ModelServer
from flows.research_pipeline import research_pipeline
from tasks.research.report import ResearchReport
from tests.conftest import REPO_ROOT
from tests.support.budgets import saved_budget
from tests.support.research import (
    QUESTION,
    free_all_slots,
    research_limits,
    research_responder,
    sigkill,
    sub_questions,
    wait_until,
)

__all__ = ["research_limits"]

pytestmark = pytest.mark.usefixtures("research_limits")

MAX_COST_USD = 1.5
CALLS_BEFORE_CRASH = 3
PERSIST_GRACE_SECONDS = 2


def _ledger() -> tuple[int, float, int]:
    """Charges in the budget ledger, their cost, and how many are only reserved (calls under way);
    once none is, the ledger's cost is what the usage table says the calls cost."""
    with Session(PipelineStore.from_environment().engine()) as session:
        calls, cost = session.exec(select(func.count(), func.coalesce(func.sum(BudgetChargeRow.cost_usd), 0.0))).one()
        reserved = session.exec(select(func.count()).where(BudgetChargeRow.state == "reserved")).one()
        paid = session.exec(select(func.coalesce(func.sum(ModelUsageRow.cost_usd), 0.0))).one()
    assert reserved or cost == pytest.approx(paid), "the ledger and the usage table agree"
    return calls, float(cost), reserved


async def _run(**parameters: object) -> ResearchReport:
    state = await research_pipeline(QUESTION, **parameters, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, ResearchReport), state.message
    return report


async def _priced_model(model_server: ModelServer) -> None:
    """A saved model at the test server, with prices that make a call cost about a tenth of a dollar."""
    model_server.responder = research_responder({"sub_questions": sub_questions(6)})
    await LanguageModel(
        provider="openai-compatible", model="test-model", base_url=f"{model_server.url}/v1",
        api_key=SecretStr("test-key"), timeout_seconds=2, max_output_tokens=100,
        input_price_per_million=1000.0, output_price_per_million=1000.0,
    ).save("priced-test-model", overwrite=True)


async def test_the_budget_stops_the_run_at_its_cost_and_says_so_and_the_stop_holds(
    served_environment: tuple[ModelServer, EnrichmentServer],
) -> None:
    model_server, _ = served_environment
    await _priced_model(model_server)

    report = await _run(language_model="priced-test-model", max_cost_usd=MAX_COST_USD)

    made = model_server.log.count(outcome="ok")
    calls, cost, reserved = _ledger()
    print(f"budget=${MAX_COST_USD} spent=${cost:.4f} model calls={made} of 9 a full run makes")
    assert report.status == "budget_stopped" and report.budget_stop
    assert "The budget stopped this run" in report.markdown() and "No synthesis was written" in report.body
    assert 0 < cost <= MAX_COST_USD and report.spend.cost_usd == pytest.approx(cost)
    assert calls == made < 9 and reserved == 0, "one settled charge per call made, nothing left reserved"
    assert model_server.log.count(key="ResearchSynthesis") == 0
    assert any(m.budget for m in report.missing)

    again = await _run(language_model="priced-test-model", max_cost_usd=MAX_COST_USD)
    assert again.status == "budget_stopped" and model_server.log.count() == made, "a stopped job stays stopped"
    assert again.spend == report.spend, "the spend survives into the next run of the job"


def test_a_killed_run_resumes_without_spending_the_budget_twice(
    served_environment: tuple[ModelServer, EnrichmentServer], monkeypatch: pytest.MonkeyPatch,
) -> None:
    model_server, _ = served_environment
    monkeypatch.setenv("AGENTIC_PRICE_INPUT", "2")
    monkeypatch.setenv("AGENTIC_PRICE_OUTPUT", "8")
    model_server.responder = research_responder({"sub_questions": sub_questions(3)})
    model_server.faults.hold_after(CALLS_BEFORE_CRASH)
    crashed = subprocess.Popen([sys.executable, "-m", "flows.research_pipeline", QUESTION], cwd=REPO_ROOT,
                               env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: model_server.log.count(outcome="ok") >= CALLS_BEFORE_CRASH, 60, "the first calls")
        time.sleep(PERSIST_GRACE_SECONDS)  # the answered calls finish their tasks and persist their results
        finished_before_crash = {r.fingerprint for r in model_server.log.ok()}
    finally:
        assert sigkill(crashed) == -signal.SIGKILL
    charged_before = _ledger()
    model_server.faults.clear()
    time.sleep(0.5)  # requests held when the process died are answered to no one
    asyncio.run(free_all_slots())  # what an operator does after a crash, instead of waiting out the leases
    resumed_from = time.time()

    state = asyncio.run(research_pipeline(QUESTION, return_state=True))

    report = state.result()
    assert state.is_completed() and isinstance(report, ResearchReport), state.message
    after = [r for r in model_server.log.ok() if r.started >= resumed_from]
    repeated = finished_before_crash & {r.fingerprint for r in after}
    calls, cost, reserved = _ledger()
    print(f"model calls before the kill={len(finished_before_crash)} after={len(after)} repeated={len(repeated)} "
          f"charges before={charged_before[0]} (reserved {charged_before[2]}) after={calls} spent=${cost:.6f}")
    assert repeated == set(), "a model call finished before the kill was made again"
    assert calls == len(finished_before_crash) + len(after) and reserved == 0, "each call charged once"
    assert (report.spend.calls, report.spend.cost_usd) == (calls, pytest.approx(cost)), \
        "the resumed run's report counts the spend from before the kill"


async def test_the_pipelines_shared_budget_stops_a_run_its_own_budget_would_let_go_on(
    served_environment: tuple[ModelServer, EnrichmentServer],
) -> None:
    model_server, _ = served_environment
    await _priced_model(model_server)
    shared = ModelBudget(pipeline=research_pipeline.name, max_usd=MAX_COST_USD, period_start=utc_now())

    async with saved_budget(shared):
        report = await _run(language_model="priced-test-model", max_cost_usd=100 * MAX_COST_USD)

    status = budget_status(PipelineStore.from_environment(), shared.pipeline, shared, utc_now())
    calls, cost, reserved = _ledger()
    print(f"run budget=${100 * MAX_COST_USD} shared budget=${MAX_COST_USD}: {calls} calls, spent ${cost:.4f}, "
          f"{status.refused} refused by the shared budget")
    assert report.status == "budget_stopped" and f"the {shared.pipeline} budget" in (report.budget_stop or "")
    assert 0 < status.spent_usd <= MAX_COST_USD and status.spent_usd == pytest.approx(cost)
    assert status.calls == calls == model_server.log.count(outcome="ok") and reserved == 0 and status.refused > 0
