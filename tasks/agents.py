"""Agent steps: each one model call with the LLM-call policy, its usage written to the store."""

from __future__ import annotations

import asyncio

from prefect import task
from prefect.context import TaskRunContext

from blocks.circuit_breaker import CircuitBreaker
from blocks.language_model import OFFLINE, LanguageModel
from blocks.model_clients import ModelRequest, model_client
from blocks.store import PipelineStore
from blocks.store_tables import ModelUsageRow
from tasks.errors import InvalidModelOutput, UnrepairableOutput
from tasks.models import Document, EntityList, ModelReply, OutputT, Review, Summary
from tasks.policies import LLM_CALL, POLICY

EXTRACT_INSTRUCTIONS = (
    "Extract the named entities of the document: people, organisations, locations, dates, "
    "money amounts, email addresses and products. Name each once, as written, with its type."
)
SUMMARIZE_INSTRUCTIONS = "Summarise the document in at most three sentences, keeping names, figures and dates."
REVIEW_INSTRUCTIONS = (
    "Judge whether the summary is faithful to the document and keeps what matters. "
    "Give a score from 0 (useless) to 1 (excellent) and a one-sentence critique."
)


async def _call(
    model: LanguageModel, store: PipelineStore, request: ModelRequest, output_type: type[OutputT]
) -> ModelReply[OutputT]:
    """One call through the endpoint's shared circuit breaker (an open one fails at once), after waiting
    for the model's rate-limit turn, within the call timeout. The offline model needs neither."""
    client = model_client(model)
    if model.provider == OFFLINE:
        return await client.generate(request, output_type)

    async def limited_call() -> ModelReply[OutputT]:
        async with model.limits().turn():
            async with asyncio.timeout(POLICY.llm_timeout_seconds):
                return await client.generate(request, output_type)

    return await CircuitBreaker(model.limits().dependency, model.breaker, store).call(limited_call)


async def ask_model(
    subject_id: str | None,
    model: LanguageModel,
    store: PipelineStore,
    request: ModelRequest,
    output_type: type[OutputT],
) -> ModelReply[OutputT]:
    """Make one model call (plus one repair round if its answer is invalid) and record its tokens and cost
    against this task, its flow run and its subject (the document or item it works on).

    An answer still invalid after the repair round raises UnrepairableOutput, which is never retried.
    """
    try:
        reply = await _call(model, store, request, output_type)
    except InvalidModelOutput as invalid:
        try:
            reply = await _call(model, store, request.with_repair(invalid.raw, str(invalid)), output_type)
        except InvalidModelOutput as still:
            raise UnrepairableOutput(
                f"{request.step}: still not a valid {output_type.__name__} after a repair round: {still}",
                raw=still.raw,
            ) from still
    run = TaskRunContext.get()
    usage = ModelUsageRow(
        flow_run_id=str(run.task_run.flow_run_id) if run and run.task_run.flow_run_id else None,
        task_run_id=str(run.task_run.id) if run else None,
        document_id=subject_id,
        step=request.step,
        model=reply.model,
        input_tokens=reply.usage.input_tokens,
        output_tokens=reply.usage.output_tokens,
        cost_usd=reply.usage.cost_usd,
    )
    await asyncio.to_thread(store.record_usage, usage)
    return reply


@task(name="extract-entities", task_run_name="extract-entities[{document.short_id}]", **LLM_CALL)
async def extract_entities(
    document: Document, model: LanguageModel, store: PipelineStore
) -> ModelReply[EntityList]:
    """The extraction agent: typed entities of one document."""
    request = ModelRequest(step="extract_entities", instructions=EXTRACT_INSTRUCTIONS,
                           material={"document": document.text})
    return await ask_model(document.id, model, store, request, EntityList)


@task(name="summarize", task_run_name="summarize[{document.short_id}]", **LLM_CALL)
async def summarize(document: Document, model: LanguageModel, store: PipelineStore) -> ModelReply[Summary]:
    """The summary agent: a short summary of one document."""
    request = ModelRequest(step="summarize", instructions=SUMMARIZE_INSTRUCTIONS,
                           material={"document": document.text})
    return await ask_model(document.id, model, store, request, Summary)


@task(name="review-summary", task_run_name="review-summary[{document.short_id}]", **LLM_CALL)
async def review_summary(
    document: Document, summary: str, model: LanguageModel, store: PipelineStore
) -> ModelReply[Review]:
    """The review agent (an LLM judge): scores a summary against its document."""
    request = ModelRequest(step="review", instructions=REVIEW_INSTRUCTIONS,
                           material={"document": document.text, "summary": summary})
    return await ask_model(document.id, model, store, request, Review)
