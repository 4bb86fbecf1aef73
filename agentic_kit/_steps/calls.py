"""The calls every pipeline makes outside the process: one guarded call (rate-limit turn, call timeout, circuit
breaker) used by model and tool steps alike, a model call with its repair round, usage record and kept exchange,
an enrichment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from prefect.context import FlowRunContext, TaskRunContext

from agentic_kit._blocks.enrichment_api import EnrichmentApi
from agentic_kit._blocks.language_model import LOCAL_PROVIDERS, LanguageModel
from agentic_kit._blocks.model_clients import model_client, prompt_tokens
from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings, CircuitBreaker
from agentic_kit._blocks.resilience.dependency_limits import DependencyLimits
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelUsageRow
from agentic_kit._domain.errors import InvalidModelOutput, RequestRejected, UnrepairableOutput
from agentic_kit._domain.models.common import ModelReply, ModelRequest, OutputT, TokenUsage
from agentic_kit._domain.models.documents import Enrichment, Entity
from agentic_kit._steps.exchanges import keep_exchange
from agentic_kit._steps.observe import MODEL, TOOL, observed_call
from agentic_kit._steps.policies import POLICY
from agentic_kit._steps.record_writer import RECORDS, added_rows
from agentic_kit._steps.shared_budget import within_shared_budget

T = TypeVar("T")
USAGE_ROWS = added_rows("usage rows")
"""Each model call's tokens and cost, durable before its task run ends (with the budget settlement queued before)."""


async def guarded_call(limits: DependencyLimits, breaker: BreakerSettings, store: PipelineStore,
                       timeout_seconds: float, call: Callable[[], Awaitable[T]], tokens: int = 0) -> T:
    """The one way a step calls a dependency: through its shared circuit breaker (an open one fails at once),
    after waiting for its rate-limit turn (and for `tokens` of a token budget), within the call timeout."""

    async def limited_call() -> T:
        async with limits.turn(tokens):
            async with asyncio.timeout(timeout_seconds):
                return await call()

    return await CircuitBreaker(limits.dependency, breaker, store).call(limited_call)


async def _call(
    subject_id: str | None, model: LanguageModel, store: PipelineStore, request: ModelRequest,
    output_type: type[OutputT]
) -> ModelReply[OutputT]:
    """One model call within its pipeline's shared budget, guarded, never over the model's window, its exchange
    kept; a model answering in this process (offline, a cassette) needs no guard."""
    prompt = prompt_tokens(model, request, output_type)
    tokens = request_tokens(model, request, prompt)
    client = model_client(model)
    async with within_shared_budget(model, store, request.step, prompt) as charge:
        async with observed_call(MODEL, request.step, model.model, store, request) as observation:
            try:
                if model.provider in LOCAL_PROVIDERS:
                    reply = await client.generate(request, output_type)
                else:
                    reply = await guarded_call(model.limits(), model.breaker, store, POLICY.llm_timeout_seconds,
                                               lambda: client.generate(request, output_type), tokens=tokens)
            except InvalidModelOutput as invalid:
                keep_exchange(subject_id, model, store, request, output_type, invalid.raw, None)
                raise
            observation.reply = reply
        charge.usage = reply.usage
    keep_exchange(subject_id, model, store, request, output_type, reply.output.model_dump_json(), reply)
    return reply


def request_tokens(model: LanguageModel, request: ModelRequest, prompt: int) -> int:
    """The tokens a request takes (its prompt's and the most it may answer), which must fit the model's window."""
    tokens = prompt + model.max_output_tokens
    if tokens > model.usable_window():
        raise RequestRejected(
            f"{request.step}: the request needs {tokens:,} tokens (max_output_tokens {model.max_output_tokens:,} "
            f"included), over the model's window of {model.usable_window():,}; it is not sent")
    return tokens


@dataclass
class RepairRounds:
    """Repair rounds of the model calls made while `counting_repairs()` is open, its own and its enclosing ones'."""

    rounds: int = 0
    enclosing: RepairRounds | None = None

    def add(self) -> None:
        """One repair round, counted here and in every enclosing counter."""
        counter: RepairRounds | None = self
        while counter is not None:
            counter.rounds += 1
            counter = counter.enclosing


_repair_rounds: ContextVar[RepairRounds | None] = ContextVar("agentic_repair_rounds", default=None)


@contextmanager
def counting_repairs() -> Iterator[RepairRounds]:
    """Count the repair rounds of the model calls made inside (in this context: concurrent calls count apart)."""
    counter = RepairRounds(enclosing=_repair_rounds.get())
    token = _repair_rounds.set(counter)
    try:
        yield counter
    finally:
        _repair_rounds.reset(token)


async def record_usage(subject_id: str | None, store: PipelineStore, step: str, model: str, usage: TokenUsage) -> None:
    """Record one model call's tokens and cost against this task, its flow run, its pipeline (the flow's name) and its
    subject, durably before the task run ends (with the budget settlement queued before it)."""
    run, flow_run = TaskRunContext.get(), FlowRunContext.get()
    await RECORDS.add_durably(store, USAGE_ROWS, ModelUsageRow(
        flow_run_id=str(run.task_run.flow_run_id) if run and run.task_run.flow_run_id else None,
        task_run_id=str(run.task_run.id) if run else None,
        document_id=subject_id,
        pipeline=flow_run.flow.name if flow_run and flow_run.flow else None,
        step=step,
        model=model,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_input_tokens=usage.cached_input_tokens,
        cost_usd=usage.cost_usd,
    ))


async def ask_model(
    subject_id: str | None,
    model: LanguageModel,
    store: PipelineStore,
    request: ModelRequest,
    output_type: type[OutputT],
) -> ModelReply[OutputT]:
    """Make one model call (plus one repair round if its answer is invalid) and record its tokens and cost
    against this task, its flow run, its pipeline (the flow's name) and its subject (the document or item it works
    on).

    An answer still invalid after the repair round raises UnrepairableOutput, which is never retried.
    """
    try:
        reply = await _call(subject_id, model, store, request, output_type)
    except InvalidModelOutput as invalid:
        if (counter := _repair_rounds.get()) is not None:
            counter.add()
        try:
            reply = await _call(subject_id, model, store, request.with_repair(invalid.raw, str(invalid)),
                                output_type)
        except InvalidModelOutput as still:
            raise UnrepairableOutput(
                f"{request.step}: still not a valid {output_type.__name__} after a repair round: {still}",
                raw=still.raw,
            ) from still
    await record_usage(subject_id, store, request.step, reply.model, reply.usage)
    return reply


async def enrich_one(entity: Entity, api: EnrichmentApi, store: PipelineStore) -> Enrichment:
    """Ask the enrichment API what it knows about one entity, guarded, within the tool-call timeout."""
    async with observed_call(TOOL, "enrich", api.limits().dependency, store):
        return await guarded_call(api.limits(), api.breaker, store, POLICY.tool_timeout_seconds,
                                  lambda: api.enrich(entity))
