"""Publish steps: write results where users find them; idempotent, never cached, each with its undo.

A processed document is published as one saga, one task run (see `tasks/documents/publish_saga.py`): the store
write, the export file and the notification webhook, plain functions here. Each step has its undo, which records
itself in the compensation log; the log says what to undo after a failed attempt or a crash.
The run's Parquet file is written after every saga has ended, from the store, so it holds only documents that
stayed published and needs no undo of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from prefect import runtime, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from agentic_kit import PUBLISH, PUBLISHED, RETRACTED, PublishTargets
from agentic_kit.models import DocumentOutcome
from agentic_kit.store import PipelineStore, SagaLog, as_utc
from tasks.documents.report import PipelineReport

STORE, EXPORT, NOTIFY = "store", "export", "notify"
PUBLISH_STEPS = (STORE, EXPORT, NOTIFY)
"""The publish steps in the order they run; compensation runs them backwards."""

RECORD_FIELDS = {"document_id", "source", "status", "entities", "enrichments", "enrichment_note", "summary",
                 "review", "models", "review_decision", "reviewer_note"}


def publish_record(outcome: DocumentOutcome) -> dict[str, Any]:
    """What is exported and announced for a document: its results (a project's extra steps' when it has them), not
    how this run got them."""
    return outcome.model_dump(mode="json", include=RECORD_FIELDS | ({"extras"} if outcome.extras else set()))


def content_hash(record: dict[str, Any]) -> str:
    """The identity of a publish: the same results are never published twice."""
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def idempotency_key(document_id: str, saga_id: str, kind: str) -> str:
    """The key a receiver deduplicates on: one per document, publish and kind of notification."""
    return f"{document_id}.{saga_id}.{kind}"


@task(name="store-document", task_run_name="store-document[{outcome.source}]", **PUBLISH)
async def store_document(outcome: DocumentOutcome, text: str | None, store: PipelineStore) -> None:
    """Store an outcome that is not published (failed, rejected, or a publish undone); idempotent."""
    await store_outcome(outcome, text, store)


async def store_outcome(outcome: DocumentOutcome, text: str | None, store: PipelineStore) -> None:
    """Upsert one document's outcome and results; storing the same outcome twice changes nothing."""
    await asyncio.to_thread(store.save_outcome, outcome, text, runtime.flow_run.id)


def undo_store(store: PipelineStore, document_id: str) -> None:
    """Remove a document's stored results, and say so in the compensation log."""
    store.retract_outcome(document_id)
    SagaLog(store).step(document_id, {STORE: "compensated"})


async def export_document(document_id: str, record: dict[str, Any], targets: PublishTargets) -> None:
    """Write the document's export file (whole or not at all)."""
    await asyncio.to_thread(targets.write_export, document_id, record)


def undo_export(targets: PublishTargets, store: PipelineStore, document_id: str) -> None:
    """Remove a document's export file, and say so in the compensation log."""
    targets.remove_export(document_id)
    SagaLog(store).step(document_id, {EXPORT: "compensated"})


async def notify_published(document_id: str, saga_id: str, record: dict[str, Any], targets: PublishTargets) -> None:
    """Tell the webhook a document was published; a retry or a resumed publish sends the same idempotency key."""
    await asyncio.to_thread(targets.notify, PUBLISHED, idempotency_key(document_id, saga_id, PUBLISHED),
                            {"document_id": document_id, "record": record})


def undo_notify(targets: PublishTargets, store: PipelineStore, document_id: str, saga_id: str) -> None:
    """Tell the webhook a notification no longer holds (only a crash can leave one to undo: it is the last step)."""
    targets.notify(RETRACTED, idempotency_key(document_id, saga_id, RETRACTED), {"document_id": document_id})
    SagaLog(store).step(document_id, {NOTIFY: "compensated"})


@task(name="export-run-parquet", **PUBLISH)
async def export_run_parquet(targets: PublishTargets, store: PipelineStore) -> str | None:
    """Write the documents this run published as the run's one Parquet file, dated by the run's scheduled start
    (a retry of the run writes the same file again); the file's path, or None when there was nothing to write."""
    flow_run_id = runtime.flow_run.id
    day = as_utc(runtime.flow_run.scheduled_start_time).date()
    records = await asyncio.to_thread(store.processed_documents, flow_run_id)
    path = await asyncio.to_thread(targets.write_parquet_batch, flow_run_id, day, records)
    return str(path) if path else None


@task(name="publish-report", **PUBLISH)
async def publish_report(report: PipelineReport) -> None:
    """The run's result table and markdown summary as artifacts in the Prefect UI."""
    await acreate_table_artifact(
        key="document-pipeline-results", table=report.table_rows(), description=report.headline()
    )
    await acreate_markdown_artifact(key="document-pipeline-summary", markdown=report.markdown())
