"""Agent steps: each one model call with the LLM-call policy, its usage written to the store.

Extraction and summary read one part of a document (the whole text when it fits the model's window), so each
chunk of a long document is its own cached task; a long document's part summaries are combined, and the review
judges the final summary against what it was made from. Instructions come first and the material last, so a
provider's prefix cache serves the instructions of every call of a step. Each step's instructions are versioned
by their text and the version is part of that step's cache key (tasks.policies.with_instructions), so editing one
prompt runs that step again, and no other.
"""

from __future__ import annotations

from prefect import task

from blocks.language_model import LanguageModel
from blocks.store import PipelineStore
from domain.models.common import Instructions, ModelReply, ModelRequest, Review
from domain.models.documents import DocumentPart, EntityList, Summary
from tasks.cache_index import indexed
from tasks.calls import ask_model
from tasks.policies import LLM_CALL, with_instructions

EXTRACT_INSTRUCTIONS = Instructions(text=(
    "Extract the named entities of the document: people, organisations, locations, dates, "
    "money amounts, email addresses and products. Name each once, as written, with its type."
))
SUMMARIZE_INSTRUCTIONS = Instructions(
    text="Summarise the document in at most three sentences, keeping names, figures and dates.")
COMBINE_INSTRUCTIONS = Instructions(text=(
    "The summaries are of consecutive parts of one document, in order. Combine them into one summary of the "
    "whole document in at most three sentences, keeping names, figures and dates."
))
REVIEW_INSTRUCTIONS = Instructions(text=(
    "Judge whether the summary is faithful to the {reference} and keeps what matters. "
    "Give a score from 0 (useless) to 1 (excellent) and a one-sentence critique."
))
INSTRUCTIONS = (EXTRACT_INSTRUCTIONS, SUMMARIZE_INSTRUCTIONS, COMBINE_INSTRUCTIONS, REVIEW_INSTRUCTIONS)
"""Every instruction the document pipeline's agents send (their versions are part of the pipeline key)."""
WHOLE_DOCUMENT = "document"
PART_SUMMARIES = "summaries of the document's parts"
"""What a review judges against: the document itself, or (for a long document) the summaries of its parts."""


def extract_request(text: str) -> ModelRequest:
    """The extraction request for one part's text."""
    return ModelRequest(step="extract_entities", instructions=EXTRACT_INSTRUCTIONS.text, material={"document": text})


def summarize_request(text: str) -> ModelRequest:
    """The summary request for one part's text."""
    return ModelRequest(step="summarize", instructions=SUMMARIZE_INSTRUCTIONS.text, material={"document": text})


def combine_request(summaries: list[str]) -> ModelRequest:
    """The request combining part summaries, in order."""
    return ModelRequest(step="combine_summaries", instructions=COMBINE_INSTRUCTIONS.text,
                        material={"summaries": "\n\n".join(summaries)})


def review_request(summary: str, reference: str, reference_kind: str) -> ModelRequest:
    """The review request: the summary first, what it is judged against last."""
    return ModelRequest(step="review", instructions=REVIEW_INSTRUCTIONS.format(reference=reference_kind),
                        material={"summary": summary, reference_kind: reference})


@indexed
@task(name="extract-entities", task_run_name="extract-entities[{part.label}]",
      **with_instructions(LLM_CALL, EXTRACT_INSTRUCTIONS))
async def extract_entities(part: DocumentPart, model: LanguageModel, store: PipelineStore) -> ModelReply[EntityList]:
    """The extraction agent: typed entities of one part of a document."""
    return await ask_model(part.document_id, model, store, extract_request(part.text), EntityList)


@indexed
@task(name="summarize", task_run_name="summarize[{part.label}]",
      **with_instructions(LLM_CALL, SUMMARIZE_INSTRUCTIONS))
async def summarize(part: DocumentPart, model: LanguageModel, store: PipelineStore) -> ModelReply[Summary]:
    """The summary agent: a short summary of one part of a document."""
    return await ask_model(part.document_id, model, store, summarize_request(part.text), Summary)


@indexed
@task(name="combine-summaries", task_run_name="combine-summaries[{document_id:.12}]",
      **with_instructions(LLM_CALL, COMBINE_INSTRUCTIONS))
async def combine_summaries(
    document_id: str, summaries: list[str], model: LanguageModel, store: PipelineStore
) -> ModelReply[Summary]:
    """The summary agent again, over the summaries of consecutive parts: one summary of them all."""
    return await ask_model(document_id, model, store, combine_request(summaries), Summary)


@indexed
@task(name="review-summary", task_run_name="review-summary[{document_id:.12}]",
      **with_instructions(LLM_CALL, REVIEW_INSTRUCTIONS))
async def review_summary(
    document_id: str, summary: str, reference: str, reference_kind: str, model: LanguageModel,
    store: PipelineStore,
) -> ModelReply[Review]:
    """The review agent (an LLM judge): scores a summary against its document (or its parts' summaries)."""
    return await ask_model(document_id, model, store, review_request(summary, reference, reference_kind), Review)
