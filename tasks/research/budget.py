"""A research job's token and cost budget: every model call reserves its estimate first and settles after.

The estimate is the prompt's tokens as the model's block counts them (messages, their overhead and the output
schema: `agentic_kit/_blocks/tokenizers.py`) plus the model's whole output allowance, so a call the ledger admits cannot take the
job past its budget unless the provider counts far more tokens than the block's tokenizer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from agentic_kit import LanguageModel, TurnCharge, ask_model, prompt_tokens
from agentic_kit.models import Budget, ModelReply, ModelRequest, OutputT, TokenUsage, content_id
from agentic_kit.store import PipelineStore, refuse_if_stopped, release_charge, reserve_charge, settle_charge
from tasks.research.limits import AgentKind, agent_turn


def research_run_key(question: str, urls: list[str], max_sub_questions: int, review_bar: float, max_rounds: int,
                     model: LanguageModel) -> str:
    """The job's identity: the question and what shapes the work, not the budget (raising it resumes the job)."""
    shape = {"question": question.strip(), "urls": urls, "max_sub_questions": max_sub_questions,
             "review_bar": review_bar, "max_rounds": max_rounds,
             "model": [model.provider, model.model, model.base_url]}
    return content_id(json.dumps(shape, sort_keys=True))


def estimated_usage(request: ModelRequest, output_type: type[OutputT], model: LanguageModel) -> TokenUsage:
    """The most a call may use: its prompt's tokens plus the model's output allowance."""
    input_tokens = prompt_tokens(model, request, output_type)
    output_tokens = model.max_output_tokens
    return TokenUsage(input_tokens=input_tokens, output_tokens=output_tokens,
                      cost_usd=model.cost_usd(input_tokens, output_tokens))


def call_key(request: ModelRequest, output_type: type[OutputT], model: LanguageModel) -> str:
    """The identity of a call: the same request to the same model is the same charge, however often it is tried."""
    return content_id(json.dumps([request.model_dump(), output_type.__name__, model.provider, model.model,
                                  model.base_url], sort_keys=True))


@dataclass
class JobBudget:
    """A research job's budget as one kind of agent's calls are charged to it (the kit's TurnBudget, for the research
    agent's turns; `ask_within_budget` for the other agents' calls)."""

    kind: AgentKind
    budget: Budget
    store: PipelineStore

    @asynccontextmanager
    async def turn(self, step: str, key: str, estimate: TokenUsage) -> AsyncIterator[TurnCharge]:
        """In the agent type's turn: reserve the call's estimate (BudgetExhausted if it does not fit, or if the budget
        already stopped the job), let the call run, and settle its charge at what it used; a failed call gives its
        reservation back."""
        await asyncio.to_thread(refuse_if_stopped, self.store, self.budget)
        async with agent_turn(self.kind):
            await asyncio.to_thread(reserve_charge, self.store, self.budget, key, step, estimate)
            charge = TurnCharge()
            try:
                yield charge
            except BaseException:
                release_charge(self.store, self.budget, key)  # not awaited in a thread: it must run even when cancelled
                raise
            await asyncio.to_thread(settle_charge, self.store, self.budget, key, step, charge.usage or TokenUsage())


async def ask_within_budget(
    kind: AgentKind,
    budget: Budget,
    model: LanguageModel,
    store: PipelineStore,
    request: ModelRequest,
    output_type: type[OutputT],
) -> ModelReply[OutputT]:
    """One model call (`ask_model`: the model's own limits, circuit breaker and call timeout) charged to the job's
    budget in the agent type's turn (`JobBudget.turn`)."""
    estimate = estimated_usage(request, output_type, model)
    async with JobBudget(kind, budget, store).turn(request.step, call_key(request, output_type, model),
                                                   estimate) as charge:
        reply = await ask_model(budget.run_key, model, store, request, output_type)
        charge.usage = reply.usage
    return reply
