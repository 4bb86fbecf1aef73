"""The document pipeline: ingest → validate → extract → enrich → summarize → review → publish.

Each document is its own unit: its failure is recorded with the step and the error, and the others
go on. Every model and tool step is a cached, persisted task, so running the same input again
(after a crash, or from the UI's Retry) redoes only what did not finish. A processed document is
published (store, export file, webhook) as one saga; a publish a crash cut short is finished first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from prefect import flow, runtime
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote
from prefect.utilities.urls import url_for

from agentic_kit import (
    FetchPolicy,
    InvalidInput,
    ModelStep,
    PipelineBlocks,
    ProgressArtifact,
    Settings,
    at_step,
    current_settings,
    document_context,
    document_span,
    ensure_budget_covers,
    item_scope,
    load_or_environment,
    observed_run,
    pipeline_key,
    record_score,
)
from agentic_kit.models import (
    Decision,
    Document,
    DocumentOutcome,
    DocumentPart,
    Enrichment,
    Entity,
    EntityList,
    EntityType,
    Rejection,
    ReviewSchedule,
)
from agentic_kit.operate import current_tally
from agentic_kit.store import SagaLog
from tasks.documents import agents, chunking, tools
from tasks.documents.agents import (
    PART_SUMMARIES,
    WHOLE_DOCUMENT,
    combine_summaries,
    extract_entities,
    review_summary,
    summarize,
)
from tasks.documents.chunking import group_texts, part_room, reading_estimate, split_document, summaries_room
from tasks.documents.dead_letters import record_dead_letter, settle_processed_dead_letters
from tasks.documents.fetch import ingest_urls
from tasks.documents.ingest import DEFAULT_MAX_DOCUMENT_BYTES, ingest
from tasks.documents.publish import export_run_parquet, publish_report, store_document
from tasks.documents.publish_saga import interrupted_publishes, publish_document
from tasks.documents.report import PipelineReport, print_report
from tasks.documents.review_gate import needs_review, review_gate
from tasks.documents.tools import enrich_entities

ENRICHABLE_TYPES = {EntityType.PERSON, EntityType.ORG, EntityType.LOCATION, EntityType.PRODUCT}
"""Entity types worth asking the enrichment API about (dates, amounts and emails are not)."""

ENRICHMENT_SKIPPED = "enrichment skipped: no enrichment API configured"
DEFAULT_MAX_CONCURRENT_CHUNKS = 16
"""How many parts of one long document are read at once (the model's own limits still apply)."""


def quoted(**arguments: Any) -> dict[str, Any]:
    """Task arguments Prefect passes as they are: no future is ever inside a document, a block or an outcome, and
    walking them in search of one (at every task run, twice) costs the flow process more than the task's own work.
    Cache keys, task-run names and the task itself see the plain values."""
    return {name: quote(value) for name, value in arguments.items()}


async def _each_part(step: ModelStep[Any, Any], parts: list[DocumentPart], limit: asyncio.Semaphore) -> list[Any]:
    """Run a model step on every part of a document, at most `limit` at once, in the parts' order."""

    async def one(part: DocumentPart) -> Any:
        async with limit:
            return await step(part)

    return list(await asyncio.gather(*(one(part) for part in parts)))


async def _enrich(entities: list[Entity], blocks: PipelineBlocks) -> list[Enrichment]:
    """Enrich each distinct person, organisation, place and product of a document."""
    distinct = list({(e.name, e.type): e for e in entities if e.type in ENRICHABLE_TYPES}.values())
    if not distinct:
        return []
    return await enrich_entities(distinct, blocks.enrichment)


def _merged(extractions: list[EntityList]) -> list[Entity]:
    """The entities of every part, the same name and type once, in order of first appearance."""
    return list({(e.name, e.type): e for extraction in extractions for e in extraction.entities}.values())


async def _combined_summary(summaries: list[str], blocks: PipelineBlocks) -> tuple[str, list[str]]:
    """One summary of the part summaries (combined in groups that fit the window, again until one is left), and
    the summaries the last combination read, which the review judges it against."""
    counter, room = blocks.model.counter(), summaries_room(blocks.model)
    while True:
        groups = group_texts(summaries, counter, room)
        combined = await asyncio.gather(*(combine_summaries(group) for group in groups))
        if len(groups) == 1:
            return combined[0].summary, groups[0]
        summaries = [reply.summary for reply in combined]


async def process_document(document: Document, blocks: PipelineBlocks,
                           max_concurrent_chunks: int = DEFAULT_MAX_CONCURRENT_CHUNKS,
                           max_parts: int | None = None) -> DocumentOutcome:
    """Run one document through every agent and tool step; any failure is kept in its outcome, never raised.

    A document whose prompt would not fit the model's window is read in parts: entities are extracted from each
    and merged, each part is summarised and the summaries combined, and the review judges the final summary
    against the part summaries. Its steps run in the document's item scope, which names the step that failed.
    Before the first model call, a document of more than max_parts parts (unset: AGENTIC_MAX_DOCUMENT_PARTS) is
    rejected, and one whose estimate the pipeline's shared budget cannot cover fails at validate (BudgetExhausted).
    """
    outcome = DocumentOutcome(source=document.source, document_id=document.id, status="processed",
                              format=document.format, encoding=document.encoding)
    max_parts = current_settings().max_document_parts if max_parts is None else max_parts
    with item_scope(document.id, blocks.model, blocks.store, blocks.fallback) as scope:
        try:
            with at_step("chunk"):
                parts = split_document(document, blocks.model.counter(), part_room(blocks.model), max_parts)
            with at_step("validate"):
                await ensure_budget_covers(blocks.model, blocks.store, f"{document.source}: reading it",
                                           *reading_estimate(parts, blocks.model))
            outcome.chunks = len(parts)
            limit = asyncio.Semaphore(max_concurrent_chunks)
            outcome.entities = _merged(await _each_part(extract_entities, parts, limit))
            if blocks.enrichment.configured:
                outcome.enrichments = await _enrich(outcome.entities, blocks)
            else:
                outcome.enrichment_note = ENRICHMENT_SKIPPED
            summaries = [s.summary for s in await _each_part(summarize, parts, limit)]
            reference, reference_kind = document.text, WHOLE_DOCUMENT
            if len(parts) == 1:
                outcome.summary = summaries[0]
            else:
                outcome.summary, read = await _combined_summary(summaries, blocks)
                reference, reference_kind = "\n\n".join(read), PART_SUMMARIES
            outcome.review = await review_summary(outcome.summary, reference, reference_kind)
            await record_score(outcome.review.score)  # counts only while a canary of one of its steps runs
        except InvalidInput as exc:  # the chunker's: more parts than a document may take, rejected like its input
            outcome.status, outcome.failed_step, outcome.error = "rejected", "validate", str(exc)
        except Exception as exc:  # noqa: BLE001 - one document's failure must not fail the batch
            outcome.status, outcome.failed_step, outcome.error = "failed", scope.step, f"{type(exc).__name__}: {exc}"
            outcome.raw_output = getattr(exc, "raw", None)
        outcome.model_calls, outcome.cached_steps, outcome.models = scope.model_calls, scope.cached_steps, scope.models
    return outcome


async def _stored(outcome: DocumentOutcome, text: str | None, blocks: PipelineBlocks) -> DocumentOutcome:
    """Store an outcome; if even that fails, say so in the outcome."""
    if outcome.document_id is None:
        return outcome
    try:
        await store_document(**quoted(outcome=outcome, text=text, store=blocks.store))
    except Exception as exc:  # noqa: BLE001 - reported in the outcome and the run's final state
        return outcome.model_copy(update={
            "status": "failed", "failed_step": "store", "error": f"{type(exc).__name__}: {exc}"
        })
    return outcome


async def _published(outcome: DocumentOutcome, text: str | None, key: str, blocks: PipelineBlocks) -> DocumentOutcome:
    """Publish a processed document as one saga; any other outcome (or a publish undone) is only stored."""
    if outcome.status == "processed" and outcome.document_id is not None:
        outcome = await publish_document(**quoted(outcome=outcome, text=text, pipeline_key=key, targets=blocks.targets,
                                                  store=blocks.store))
        if outcome.status == "processed":
            return outcome
    return await _stored(outcome, text, blocks)


async def _finish_interrupted_publishes(blocks: PipelineBlocks, document_ids: set[str]) -> list[DocumentOutcome]:
    """Complete (or undo) the publishes a crashed run left unfinished, except those this run publishes anyway."""
    interrupted = [row for row in await interrupted_publishes(blocks.store) if row.document_id not in document_ids]
    return list(await asyncio.gather(*(
        _published(DocumentOutcome.model_validate_json(row.payload), row.text, row.pipeline_key, blocks)
        for row in interrupted)))


async def _already_published(documents: list[Document], key: str, blocks: PipelineBlocks) -> list[DocumentOutcome]:
    """The outcomes of documents published before by the same pipeline: nothing of theirs needs doing again."""
    rows = await asyncio.to_thread(SagaLog(blocks.store).published, [d.id for d in documents], key)
    outcomes = [DocumentOutcome.model_validate_json(row.payload) for row in rows]
    return [o.model_copy(update={"model_calls": 0, "cached_steps": o.model_calls + o.cached_steps}) for o in outcomes]


def _pipeline_key(blocks: PipelineBlocks, review_threshold: float, review_default: str) -> str:
    """What shapes an outcome: the models and API as their caches see them, the review settings, the agents'
    instructions versions and the code."""
    return pipeline_key(blocks.model.cache_identity(), blocks.fallback.cache_identity() if blocks.fallback else None,
                        blocks.enrichment.cache_identity(), review_threshold, review_default,
                        [instructions.version for instructions in agents.INSTRUCTIONS],
                        code=[sys.modules[__name__], agents, chunking, tools])


def _rejected(rejection: Rejection) -> DocumentOutcome:
    """The outcome of a source that never became a document."""
    return DocumentOutcome(source=rejection.source, document_id=rejection.document_id,
                           status="rejected", failed_step="validate", error=rejection.error)


@flow(name="document-pipeline", description="Extract, enrich, summarize and review documents, then store them.",
      persist_result=True)
async def document_pipeline(
    folder: str | None = None,
    paths: list[str] | None = None,
    texts: list[str] | None = None,
    sources: list[str] | None = None,
    urls: list[str] | None = None,
    language_model: str | None = None,
    enrichment_api: str | None = None,
    store: str | None = None,
    publish_targets: str | None = None,
    fetch_policy: str | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_document_characters: int | None = None,
    max_document_parts: int | None = None,
    max_concurrent_documents: int = 16,
    max_concurrent_chunks: int = DEFAULT_MAX_CONCURRENT_CHUNKS,
    review_threshold: float = 0.5,
    review_timeout_seconds: int = 3600,
    review_default: Decision = "reject",
    review_reminder_seconds: int | None = 1200,
    review_escalation_seconds: int | None = 2400,
) -> State[PipelineReport]:
    """Process every document of a folder, a list of paths, inline texts (named by `sources`) and URLs.

    Files and pages are read by format (PDF, Word .docx, HTML, Markdown, text in any encoding); a document longer
    than the model's window is read in parts, at most max_concurrent_chunks at once. A document over
    max_document_bytes, max_document_characters of text or max_document_parts parts (those two unset:
    AGENTIC_MAX_DOCUMENT_CHARACTERS, AGENTIC_MAX_DOCUMENT_PARTS) is rejected before any model call, its text read
    no further than the cap. URLs are fetched within the fetch policy block. Block parameters name saved blocks;
    left empty, each comes from the environment (see README).
    A document is published as soon as it is processed, unless its review score is below
    review_threshold: those wait for a person (one pause for all of them); a review still waiting after
    review_reminder_seconds sends a reminder, after review_escalation_seconds it is escalated, and after
    review_timeout_seconds the review_default decision applies. The run fails when any
    document failed in processing; rejected input is reported but is no failure.
    """
    with observed_run("document-pipeline"):
        review_schedule = ReviewSchedule(review_timeout_seconds, review_reminder_seconds, review_escalation_seconds)
        blocks = await PipelineBlocks.resolve(language_model, enrichment_api, store, publish_targets)
        key = _pipeline_key(blocks, review_threshold, review_default)
        items = ingest(folder, paths, texts, sources, max_document_bytes, max_document_characters)
        if urls:
            items += await ingest_urls(urls, await load_or_environment(FetchPolicy, fetch_policy), max_document_bytes,
                                       max_document_characters)
        documents = [item for item in items if isinstance(item, Document)]
        recovered = await _finish_interrupted_publishes(blocks, {d.id for d in documents})
        done_before = await _already_published(documents, key, blocks)
        published_ids = {o.document_id for o in done_before}
        documents = [d for d in documents if d.id not in published_ids]
        progress = await ProgressArtifact.start(len(documents), f"Processing {len(documents)} documents")
        tally = current_tally()
        tally.begin(len(items), sum(isinstance(item, Rejection) for item in items), len(done_before),
                    str(runtime.flow_run.id), blocks.store)
        limit = asyncio.Semaphore(max_concurrent_documents)

        async def run_one(document: Document) -> DocumentOutcome:
            """Process a document and, unless it waits for a person, publish it at once."""
            async with limit:
                with document_span(document.id, document.source), document_context(document.id):
                    outcome = await process_document(document, blocks, max_concurrent_chunks, max_document_parts)
            held_for_review = needs_review(outcome, review_threshold)
            if not held_for_review:
                outcome = await _published(outcome, document.text, key, blocks)
            await progress.advance()
            tally.finished(outcome, held_for_review)
            return outcome

        finished = await asyncio.gather(*(run_one(d) for d in documents))
        held = [o for o in finished if needs_review(o, review_threshold)]
        reviewed = await review_gate(held, review_threshold, review_schedule, review_default)
        texts_by_id = {d.id: d.text for d in documents}
        decided = {o.document_id: o for o in await asyncio.gather(
            *(_published(o, texts_by_id.get(o.document_id or ""), key, blocks) for o in reviewed))}
        stored = [decided.get(o.document_id, o) if needs_review(o, review_threshold) else o for o in finished]
        rejected = [await _stored(_rejected(r), None, blocks) for r in items if isinstance(r, Rejection)]
        outcomes = [*done_before, *stored, *rejected, *recovered]
        await asyncio.gather(*(record_dead_letter(o, blocks.store) for o in outcomes if o.status != "processed"))
        await settle_processed_dead_letters(outcomes, blocks.store)
        if blocks.targets.exports_parquet:
            await export_run_parquet(blocks.targets, blocks.store)
        tally.settle(outcomes)
        flow_run_id = runtime.flow_run.id
        report = PipelineReport(
            outcomes=outcomes,
            usage=await asyncio.to_thread(blocks.store.usage_totals, flow_run_id),
            model=blocks.model.model,
            enrichment=blocks.enrichment.base_url or ENRICHMENT_SKIPPED,
            flow_run_url=url_for("flow-run", obj_id=flow_run_id),
        )
        await publish_report(report)
        if report.count("failed"):
            return Failed(message=f"{report.headline()}. Failed: {report.failures()}", data=report)
        return Completed(message=report.headline(), data=report)


def main() -> None:
    """Run the pipeline once from the command line and print its report."""
    parser = argparse.ArgumentParser(description="Run the document pipeline once.")
    parser.add_argument("folder", nargs="?", help="a folder of documents")
    parser.add_argument("--path", action="append", dest="paths", help="a document file (repeatable)")
    parser.add_argument("--text", action="append", dest="texts", help="an inline document (repeatable)")
    parser.add_argument("--url", action="append", dest="urls", help="a document to fetch (repeatable)")
    parser.add_argument("--language-model", help="a saved Language Model block (default: the environment)")
    parser.add_argument("--max-concurrent-chunks", type=int, default=DEFAULT_MAX_CONCURRENT_CHUNKS,
                        help="parts of one long document read at once")
    args = parser.parse_args()
    if args.folder:  # the folder a person named here is a root of this run (the working directory is none)
        os.environ["AGENTIC_INGEST_ROOTS"] = Settings().ingest_roots_with(args.folder)
    state = asyncio.run(document_pipeline(args.folder, args.paths, args.texts, urls=args.urls,
                                          language_model=args.language_model,
                                          max_concurrent_chunks=args.max_concurrent_chunks, return_state=True))
    report = state.result(raise_on_failure=False)
    if isinstance(report, PipelineReport):
        print_report(report)
    else:
        print(f"The run ended {state.name}: {state.message}")
    raise SystemExit(0 if state.is_completed() else 1)


if __name__ == "__main__":
    main()
