"""Dead-letter steps: record what a pipeline gave up on, load what a replay can retry, settle after a replay."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import get_run_logger, runtime, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from agentic_kit import LOCAL_READ, PUBLISH, budget_reset_since
from agentic_kit.models import DocumentOutcome, ReplayCandidate, ReplayItem, ReplayReport
from agentic_kit.store import BUDGET_ERROR_TYPE, REPLAYED, DeadLetterRow, DeadLetters, PipelineStore, item_id

NO_TEXT_REJECTED = "rejected input: nothing to replay; discard it once the source is fixed and sent again"
NO_TEXT_MISSING = "its text is not in the documents table (was the document ever stored?)"


@task(name="record-dead-letter", task_run_name="record-dead-letter[{outcome.source}]", **PUBLISH)
async def record_dead_letter(outcome: DocumentOutcome, store: PipelineStore) -> None:
    """Keep a failed or rejected document in the dead-letter store (processed ones are left alone)."""
    if outcome.status == "processed":
        return
    await asyncio.to_thread(DeadLetters(store).record, outcome, runtime.flow_run.id, raw_output=outcome.raw_output)


@task(name="settle-processed-dead-letters", **PUBLISH)
async def settle_processed_dead_letters(outcomes: list[DocumentOutcome], store: PipelineStore) -> int:
    """Close the open dead letters of documents this run processed after all: nothing is waiting for them."""
    processed = [o.document_id for o in outcomes if o.status == "processed" and o.document_id]
    return await asyncio.to_thread(DeadLetters(store).settle_processed, processed) if processed else 0


@task(name="load-dead-letters", **LOCAL_READ)
async def load_dead_letters(
    store: PipelineStore,
    step: str | None = None,
    error_type: str | None = None,
    since: datetime | None = None,
    ids: list[int] | None = None,
    limit: int | None = None,
    budget_pipeline: str | None = None,
    pipeline: str | None = None,
) -> list[ReplayCandidate]:
    """The open dead letters of `pipeline` (of any when None) matching the filters, each with the text to replay it
    with; those the shared budget of `budget_pipeline` stopped wait (are left out) until its period rolled over."""
    letters = DeadLetters(store)
    rows = await asyncio.to_thread(letters.list, status="open", step=step, error_type=error_type, since=since,
                                   ids=ids, limit=limit, pipeline=pipeline)
    if budget_pipeline is not None:
        rows = await _past_their_budget_period(rows, budget_pipeline)

    def load() -> list[ReplayCandidate]:
        return [_candidate(row, letters.inputs(row)) for row in rows]

    return await asyncio.to_thread(load)


async def _past_their_budget_period(rows: list[DeadLetterRow], pipeline: str) -> list[DeadLetterRow]:
    """The rows without those of type `budget` recorded in the budget's current period, which would fail again."""
    ready = [row for row in rows
             if row.error_type != BUDGET_ERROR_TYPE or await budget_reset_since(pipeline, row.last_seen)]
    if waiting := len(rows) - len(ready):
        get_run_logger().info("%d dead letter(s) of type %s wait until the %s budget starts its next period",
                              waiting, BUDGET_ERROR_TYPE, pipeline)
    return ready


def _candidate(row: DeadLetterRow, text: str | None) -> ReplayCandidate:
    assert row.id is not None
    return ReplayCandidate(id=row.id, document_id=row.document_id, source=row.source, step=row.step,
                           error_type=row.error_type, attempts=row.attempts, text=text,
                           rejected_input=row.inputs_ref is None)


@task(name="settle-dead-letters", **PUBLISH)
async def settle_dead_letters(
    candidates: list[ReplayCandidate],
    outcomes: list[DocumentOutcome],
    pipeline_flow_run_id: str | None,
    pipeline_message: str | None,
    store: PipelineStore,
) -> ReplayReport:
    """Mark the dead letters whose documents ended processed as replayed; count an attempt on the others."""
    letters = DeadLetters(store)
    by_document = {item_id(o): o for o in outcomes}

    def settle(candidate: ReplayCandidate) -> ReplayItem:
        item = ReplayItem(dead_letter_id=candidate.id, document_id=candidate.document_id, source=candidate.source,
                          step=candidate.step, result="not_replayable", attempts=candidate.attempts)
        if candidate.text is None:
            item.detail = NO_TEXT_REJECTED if candidate.rejected_input else NO_TEXT_MISSING
            return item
        outcome = by_document.get(candidate.document_id)
        if outcome is not None and outcome.status == "processed":
            letters.mark([candidate.id], REPLAYED)
            item.result, item.detail = "replayed", "processed"
            return item
        item.result = "still_failing"
        if outcome is None:
            item.detail = f"the pipeline run gave no outcome for it ({pipeline_message or 'no report'})"
        else:
            item.detail = f"{outcome.status} at {outcome.failed_step}: {outcome.error}"
            step = outcome.failed_step or ""
            recorded = letters.find_open(candidate.document_id, step)
            if recorded is None or recorded.flow_run_id != pipeline_flow_run_id:  # the pipeline did not record it
                letters.record(outcome, pipeline_flow_run_id)
        if outcome is None or outcome.failed_step != candidate.step:  # the record above did not count this attempt
            letters.count_attempt(candidate.id, pipeline_flow_run_id)
        row = letters.get(candidate.id)
        item.attempts = row.attempts if row else candidate.attempts + 1
        return item

    report = ReplayReport(pipeline_flow_run_id=pipeline_flow_run_id, pipeline_message=pipeline_message)
    for candidate in candidates:
        report.items.append(await asyncio.to_thread(settle, candidate))
    return report


@task(name="publish-replay-report", **PUBLISH)
async def publish_replay_report(report: ReplayReport) -> None:
    """The replay's result table and markdown summary as artifacts in the Prefect UI."""
    await acreate_table_artifact(key="dead-letter-replay-results", table=report.table_rows(),
                                 description=report.headline())
    await acreate_markdown_artifact(key="dead-letter-replay-summary", markdown=report.markdown())
