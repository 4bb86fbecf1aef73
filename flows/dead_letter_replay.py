"""Dead-letter replay: send the document pipeline's open dead letters through it again.

It takes only the letters the document pipeline recorded (those of an older store included): another pipeline's
letters, even with the same item id, are its own replay flow's (`agentic dead-letters replay` runs each letter's).
Each dead letter's text comes from the documents table; the documents go through `document_pipeline`
as a subflow, so every step they had finished comes from cache and only the rest runs. Dead letters
whose documents end processed are marked replayed; the others stay open with one more attempt.
Rejected input has no text to send again: it is reported as not replayable and stays open until a
person discards it. Dead letters of type `budget` (the document pipeline's shared budget stopped them) wait, left
out, until the budget's period rolled over.

From the command line: `agentic dead-letters replay [--step …] [--id …]`.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow
from prefect.states import Completed, Failed, State

from agentic_kit import load_or_environment
from agentic_kit.models import DocumentOutcome, ReplayCandidate, ReplayReport
from agentic_kit.store import PipelineStore
from flows.document_pipeline import document_pipeline
from tasks.documents.dead_letters import load_dead_letters, publish_replay_report, settle_dead_letters
from tasks.documents.report import PipelineReport

DEFAULT_REPLAY_LIMIT = 100
"""The most dead letters one replay run takes (oldest first); run again for the rest."""


def _unique_documents(candidates: list[ReplayCandidate]) -> tuple[list[str], list[str]]:
    """The texts and sources to send, one per document (a document may have dead letters at several steps)."""
    texts: dict[str, tuple[str, str]] = {}
    for candidate in candidates:
        if candidate.text is not None:
            texts.setdefault(candidate.document_id, (candidate.text, candidate.source))
    return [t for t, _ in texts.values()], [s for _, s in texts.values()]


@flow(name="dead-letter-replay", description="Run open dead letters through the document pipeline again.")
async def dead_letter_replay(
    step: str | None = None,
    error_type: str | None = None,
    since: datetime | None = None,
    ids: list[int] | None = None,
    limit: int = DEFAULT_REPLAY_LIMIT,
    language_model: str | None = None,
    enrichment_api: str | None = None,
    store: str | None = None,
    publish_targets: str | None = None,
) -> State[ReplayReport]:
    """Replay the open dead letters matching every filter given (since: last seen at or after, ISO datetime).

    Block parameters name saved blocks, as for the document pipeline; left empty, each comes from the
    environment. The run fails when a replayed document fails again; not replayable ones are reported only.
    """
    pipeline_store = await load_or_environment(PipelineStore, store)
    candidates = await load_dead_letters(pipeline_store, step, error_type, since, ids, limit,
                                         budget_pipeline=document_pipeline.name, pipeline=document_pipeline.name)
    texts, sources = _unique_documents(candidates)
    outcomes: list[DocumentOutcome] = []
    pipeline_run_id = pipeline_message = None
    if texts:
        state = await document_pipeline(texts=texts, sources=sources, language_model=language_model,
                                        enrichment_api=enrichment_api, store=store,
                                        publish_targets=publish_targets, return_state=True)
        pipeline_run_id = str(state.state_details.flow_run_id) if state.state_details.flow_run_id else None
        pipeline_message = state.message or state.name
        result = await state.aresult(raise_on_failure=False)
        if isinstance(result, PipelineReport):
            outcomes = result.outcomes
    report = await settle_dead_letters(candidates, outcomes, pipeline_run_id, pipeline_message, pipeline_store)
    await publish_replay_report(report)
    if report.count("still_failing"):
        return Failed(message=report.headline(), data=report)
    return Completed(message=report.headline(), data=report)
