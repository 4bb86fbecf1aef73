"""Publish a processed document as one saga: store → export → notify, all or nothing.

The whole saga is one task run: its steps add no reliability as task runs of their own (they are never cached,
and a task's `on_rollback` hooks run only in the process that ran it), while each task run costs the flow process
and the Prefect server. What makes it all or nothing is the compensation log in the store: it records each step
before it starts, so a failed attempt is undone from the log, and after a SIGKILL the next run finds the publish
unfinished and either completes it (every step is idempotent; the webhook sees the same idempotency key) or undoes
what the crashed attempt left. One document's publish holds its lock, so two workers never publish the same
document at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from prefect import runtime, task

from agentic_kit import (
    PUBLISH_RETRIES,
    PUBLISH_RETRY_DELAY_SECONDS,
    PUBLISH_SAGA,
    STEP_LOCKS,
    PermanentError,
    PublishTargets,
)
from agentic_kit.models import DocumentOutcome
from agentic_kit.store import COMPENSATED, PUBLISHED, PipelineStore, PublishSagaRow, SagaLog, steps_of
from tasks.documents.publish import (
    EXPORT,
    NOTIFY,
    PUBLISH_STEPS,
    STORE,
    content_hash,
    export_document,
    notify_published,
    publish_record,
    store_outcome,
    undo_export,
    undo_notify,
    undo_store,
)


@contextlib.asynccontextmanager
async def publish_lock(document_id: str) -> AsyncIterator[None]:
    """Hold the document's publish lock (shared by all workers through the step lock manager)."""
    if STEP_LOCKS is None:
        yield
        return
    key, holder = f"publish/{document_id}", uuid.uuid4().hex
    await STEP_LOCKS.aacquire_lock(key, holder)
    try:
        yield
    finally:
        STEP_LOCKS.release_lock(key, holder)


def publish_in_progress(document_id: str) -> bool:
    """Whether some worker holds the document's publish lock right now."""
    return STEP_LOCKS is not None and STEP_LOCKS.is_locked(f"publish/{document_id}")


def _steps(outcome: DocumentOutcome, text: str | None, saga: PublishSagaRow, targets: PublishTargets,
           store: PipelineStore) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
    """The publish steps this document goes through: the store always, the export and webhook when configured."""
    record = publish_record(outcome)
    steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [(STORE, lambda: store_outcome(outcome, text, store))]
    if targets.exports_jsonl:
        steps.append((EXPORT, lambda: export_document(saga.document_id, record, targets)))
    if targets.notifies:
        steps.append((NOTIFY, lambda: notify_published(saga.document_id, saga.saga_id, record, targets)))
    return steps


async def _run_steps(steps: list[tuple[str, Callable[[], Awaitable[None]]]], saga: PublishSagaRow, log: SagaLog,
                     targets: PublishTargets, store: PipelineStore) -> None:
    """The publish steps in order; the log marks each step started before it runs and done after.

    A failed attempt's finished steps are undone (last first; the step that failed raised, so it is tried again
    as it is) and the whole publish is tried again, up to PUBLISH_RETRIES times, unless the error is permanent
    or an undo failed. The caller undoes the last attempt, the failed step included.
    """
    document_id = saga.document_id
    for attempt in range(PUBLISH_RETRIES + 1):
        if attempt:
            await asyncio.sleep(PUBLISH_RETRY_DELAY_SECONDS)
            await asyncio.to_thread(log.step, document_id, {steps[0][0]: "started"})
        try:
            for position, (step, run) in enumerate(steps):
                if position:
                    await asyncio.to_thread(log.step, document_id, {steps[position - 1][0]: "done", step: "started"})
                await run()
            return
        except PermanentError:
            raise
        except Exception:
            if attempt == PUBLISH_RETRIES or await asyncio.to_thread(compensate_logged_steps, saga, log, targets,
                                                                     store, ("done",)):
                raise


UNDO = {
    STORE: lambda saga, targets, store: undo_store(store, saga.document_id),
    EXPORT: lambda saga, targets, store: undo_export(targets, store, saga.document_id),
    NOTIFY: lambda saga, targets, store: undo_notify(targets, store, saga.document_id, saga.saga_id),
}
"""Each publish step's undo, by step name, for compensations driven by the log."""


def compensate_logged_steps(saga: PublishSagaRow, log: SagaLog, targets: PublishTargets, store: PipelineStore,
                            undo: tuple[str, ...] = ("started", "done")) -> list[str]:
    """Undo, last first, every step the log shows in one of the `undo` states (by default: started, for a crash
    may have cut it short after it applied, or done); returns the undos that failed.

    Every undo is idempotent, so one that failed is simply tried again by the next run.
    """
    row = log.get(saga.document_id)
    states = steps_of(row) if row else {}
    failed = []
    for step in reversed(PUBLISH_STEPS):
        if states.get(step) in undo:
            try:
                UNDO[step](saga, targets, store)
            except Exception as exc:  # noqa: BLE001 - reported, and the saga stays unfinished for the next run
                failed.append(f"undo {step}: {type(exc).__name__}: {exc}")
    return failed


@task(name="publish-document", task_run_name="publish-document[{outcome.source}]", **PUBLISH_SAGA)
async def publish_document(outcome: DocumentOutcome, text: str | None, pipeline_key: str, targets: PublishTargets,
                           store: PipelineStore) -> DocumentOutcome:
    """Publish one processed document, or, when a step fails for good, undo the rest and say why in the outcome.

    A document already published with the same results is left as it is (only noted as published by this pipeline).
    """
    document_id = outcome.document_id
    if document_id is None:
        raise ValueError(f"{outcome.source}: an outcome without a document id cannot be published")
    digest = content_hash(publish_record(outcome))
    log = SagaLog(store)
    async with publish_lock(document_id):
        previous = await asyncio.to_thread(log.get, document_id)
        if previous is not None and previous.status == PUBLISHED and previous.content_hash == digest:
            if previous.pipeline_key != pipeline_key or previous.invalidated_at is not None:
                await asyncio.to_thread(log.confirm, document_id, pipeline_key)
            return outcome
        saga = await asyncio.to_thread(log.begin, document_id, outcome.model_dump_json(), text, digest,
                                       pipeline_key, runtime.flow_run.id, STORE)
        steps = _steps(outcome, text, saga, targets, store)
        try:
            await _run_steps(steps, saga, log, targets, store)
        except Exception as exc:  # noqa: BLE001 - the saga is undone and the failure reported in the outcome
            error = f"{type(exc).__name__}: {exc}"
            undo_failures = await asyncio.to_thread(compensate_logged_steps, saga, log, targets, store)
            if undo_failures:  # left unfinished: the next run completes or compensates it
                error += f"; compensation incomplete, the next run finishes it ({'; '.join(undo_failures)})"
            else:
                await asyncio.to_thread(log.finish, document_id, COMPENSATED, error)
            return outcome.model_copy(update={"status": "failed", "failed_step": "publish", "error": error})
        await asyncio.to_thread(log.finish, document_id, PUBLISHED)
    return outcome


async def interrupted_publishes(store: PipelineStore) -> list[PublishSagaRow]:
    """Publishes a crash cut short: unfinished in the log, and no worker holds their lock."""
    rows = await asyncio.to_thread(SagaLog(store).unfinished)
    return [row for row in rows if not publish_in_progress(row.document_id)]
