"""Agent steps: each one model call with the LLM-call policy, its usage written to the store."""

from __future__ import annotations

from prefect import task

from blocks.language_model import LanguageModel
from blocks.store import PipelineStore
from domain.models.common import ModelReply, ModelRequest, Review
from domain.models.documents import Document, EntityList, Summary
from tasks.calls import ask_model
from tasks.policies import LLM_CALL

EXTRACT_INSTRUCTIONS = (
    "Extract the named entities of the document: people, organisations, locations, dates, "
    "money amounts, email addresses and products. Name each once, as written, with its type."
)
SUMMARIZE_INSTRUCTIONS = "Summarise the document in at most three sentences, keeping names, figures and dates."
REVIEW_INSTRUCTIONS = (
    "Judge whether the summary is faithful to the document and keeps what matters. "
    "Give a score from 0 (useless) to 1 (excellent) and a one-sentence critique."
)


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
