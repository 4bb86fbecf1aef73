"""The budget ledger: reserve before a call, settle after, never charge a call twice, stop for good."""

from __future__ import annotations

import pytest

from agentic_kit._blocks.research_store import budget_spent, release_charge, reserve_charge, settle_charge
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import BudgetExhausted
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._domain.models.research import Budget

ESTIMATE = TokenUsage(input_tokens=100, output_tokens=100, cost_usd=0.2)
USED = TokenUsage(input_tokens=60, output_tokens=20, cost_usd=0.08)


def test_a_call_reserves_its_estimate_then_settles_at_what_it_used_once_however_often_tried() -> None:
    store, budget = PipelineStore.from_environment(), Budget(run_key="job-1", max_tokens=10_000, max_cost_usd=1.0)
    reserve_charge(store, budget, "call-a", "research", ESTIMATE)
    assert budget_spent(store, "job-1").cost_usd == pytest.approx(0.2)
    settle_charge(store, budget, "call-a", "research", USED)
    reserve_charge(store, budget, "call-a", "research", ESTIMATE)  # a retry, or the same call after a crash
    settle_charge(store, budget, "call-a", "research", USED)
    reserve_charge(store, budget, "call-b", "research", ESTIMATE)
    release_charge(store, budget, "call-b")  # it failed
    spent = budget_spent(store, "job-1")
    assert (spent.calls, spent.tokens, spent.cost_usd) == (1, 80, pytest.approx(0.08))


def test_a_call_past_the_budget_is_refused_and_the_stop_holds_until_the_budget_is_raised() -> None:
    store, budget = PipelineStore.from_environment(), Budget(run_key="job-2", max_tokens=10_000, max_cost_usd=0.3)
    reserve_charge(store, budget, "call-a", "plan", ESTIMATE)
    settle_charge(store, budget, "call-a", "plan", USED)
    reserve_charge(store, budget, "call-b", "research", ESTIMATE)
    with pytest.raises(BudgetExhausted, match=r"past its budget of 10,000 tokens and \$0.3000"):
        reserve_charge(store, budget, "call-c", "research", ESTIMATE)
    release_charge(store, budget, "call-b")
    with pytest.raises(BudgetExhausted):
        reserve_charge(store, budget, "call-d", "research", TokenUsage(input_tokens=1, cost_usd=0.01))
    reserve_charge(store, budget.model_copy(update={"max_cost_usd": 1.0}), "call-d", "research", ESTIMATE)
    tokens = Budget(run_key="job-3", max_tokens=250, max_cost_usd=100.0)
    reserve_charge(store, tokens, "call-a", "plan", ESTIMATE)
    with pytest.raises(BudgetExhausted, match="250 tokens"):
        reserve_charge(store, tokens, "call-b", "plan", ESTIMATE)
