"""Agent steps: each one model call with the LLM-call policy, its usage written to the store.

Extraction and summary read one part of a document (the whole text when it fits the model's window), so each
chunk of a long document is its own cached task; a long document's part summaries are combined, and the review
judges the final summary against what it was made from. Instructions come first and the material last, so a
provider's prefix cache serves the instructions of every call of a step. Each step's instructions are versioned
by their text and the version is part of that step's cache key (agentic_kit._steps.policies.with_instructions), so editing one
prompt runs that step again, and no other.
"""

from __future__ import annotations

from agentic_kit import Prompt, model_step
from agentic_kit.models import DocumentPart, EntityList, Instructions, ModelRequest, Review, Summary

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


@model_step("extract_entities", instructions=EXTRACT_INSTRUCTIONS, output=EntityList,
            task_run_name="extract_entities[{part.label}]")
def extract_entities(part: DocumentPart) -> dict[str, str]:
    """The extraction agent: typed entities of one part of a document."""
    return {"document": part.text}


@model_step("summarize", instructions=SUMMARIZE_INSTRUCTIONS, output=Summary, task_run_name="summarize[{part.label}]")
def summarize(part: DocumentPart) -> dict[str, str]:
    """The summary agent: a short summary of one part of a document."""
    return {"document": part.text}


@model_step("combine_summaries", instructions=COMBINE_INSTRUCTIONS, output=Summary)
def combine_summaries(summaries: list[str]) -> dict[str, str]:
    """The summary agent again, over the summaries of consecutive parts: one summary of them all."""
    return {"summaries": "\n\n".join(summaries)}


@model_step("review", instructions=REVIEW_INSTRUCTIONS, output=Review)
def review_summary(summary: str, reference: str, reference_kind: str) -> Prompt:
    """The review agent (an LLM judge): scores a summary against its document (or its parts' summaries); the
    summary first, what it is judged against last."""
    return Prompt(material={"summary": summary, reference_kind: reference}, fields={"reference": reference_kind})


def extract_request(text: str) -> ModelRequest:
    """The extraction request for a text (what the chunker sizes parts by, and what the bench's peers send)."""
    return extract_entities.request({"document": text})


def summarize_request(text: str) -> ModelRequest:
    """The summary request for a text."""
    return summarize.request({"document": text})


def combine_request(summaries: list[str]) -> ModelRequest:
    """The request combining part summaries, in order."""
    return combine_summaries.request({"summaries": "\n\n".join(summaries)})


def review_request(summary: str, reference: str, reference_kind: str) -> ModelRequest:
    """The review request of a summary against its reference."""
    return review_summary.request(Prompt(material={"summary": summary, reference_kind: reference},
                                         fields={"reference": reference_kind}))
