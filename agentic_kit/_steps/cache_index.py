"""Index every cached step result as Prefect commits it: an `on_commit` hook of the step's transaction queues one
row for the store's cached_results table (agentic_kit/_blocks/cache_index.py), written in batches off the step's path. A step
opts in with `@indexed` above its `@task` (Prefect's `task` decorator takes no commit hooks).

The hook runs only when a step's result is really written (a cache hit commits nothing), inside the task run, so
it finds the store and the model among the run's parameters by type, and the item from the item's scope (else from
a document part or research budget parameter). A step without a store (a page fetch, cached only within its run)
is not indexed. The row is built and the record's size measured by the writer thread, not by
the step.
"""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

from prefect import Task
from prefect.context import TaskRunContext
from prefect.results import ResultRecord
from prefect.transactions import BaseTransaction
from sqlmodel import Session

from agentic_kit._blocks.cache_index import add_entries
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import CachedResultRow
from agentic_kit._domain.models.documents import DocumentPart
from agentic_kit._domain.models.research import Budget
from agentic_kit._steps.item_scope import scope_or_none
from agentic_kit._steps.policies import instructions_of
from agentic_kit._steps.record_writer import RECORDS, RecordKind

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
Entry = tuple[dict[str, Any], ResultRecord[Any]]
"""An index row's fields but its size, and the record: the row is built by the writer thread, off the step's path."""


def _write_entries(session: Session, entries: list[Entry]) -> None:
    """Measure each record as stored and add or replace its row."""
    add_entries(session, [CachedResultRow(**fields, size_bytes=len(record.serialize())) for fields, record in entries])


CACHE_ENTRIES: RecordKind[Entry] = RecordKind("cache index rows", _write_entries)


def subject_of(parameters: dict[str, Any]) -> str | None:
    """The item a step works on: its item scope's, else read from a parameter by type (a document part, a research
    budget), else a `document_id` parameter."""
    scope = scope_or_none()
    if scope is not None and scope.item_id:
        return scope.item_id
    for value in parameters.values():
        if isinstance(value, DocumentPart):
            return value.document_id
        if isinstance(value, Budget):
            return value.run_key
    document_id = parameters.get("document_id")
    return document_id if isinstance(document_id, str) else None


def first_of(kind: type[T], parameters: dict[str, Any]) -> T | None:
    """The first parameter value of this type, whatever the parameter is called."""
    return next((value for value in parameters.values() if isinstance(value, kind)), None)


def staged_record(transaction: BaseTransaction) -> ResultRecord[Any] | None:
    """The result record the transaction is about to write (Prefect 3.9 keeps it in `_staged_value`, with no
    public accessor)."""
    record = getattr(transaction, "_staged_value", None)
    return record if isinstance(record, ResultRecord) else None


def index_committed_result(transaction: BaseTransaction) -> None:
    """The on_commit hook of a cached step: queue the index row of the record being committed."""
    context, record = TaskRunContext.get(), staged_record(transaction)
    if context is None or record is None or not transaction.write_on_commit or transaction.key is None:
        return
    parameters = context.parameters or {}
    store, model = first_of(PipelineStore, parameters), first_of(LanguageModel, parameters)
    if store is None or record.metadata.storage_key is None:
        return
    block_id, instructions = record.metadata.storage_block_id, instructions_of(context.task.cache_policy)
    RECORDS.add(store, CACHE_ENTRIES, ({
        "storage_block_id": str(block_id) if block_id else "", "storage_key": record.metadata.storage_key,
        "cache_key": transaction.key, "step": context.task.name,
        "model": model.model if model else None,
        "instructions_version": instructions.version if instructions else None,
        "document_id": subject_of(parameters), "flow_run_id": str(context.task_run.flow_run_id or "") or None,
        "created_at": utc_now(),
    }, record))


async def index_committed_result_async(transaction: BaseTransaction) -> None:
    """The same hook for an async step: Prefect awaits a coroutine hook in the step's event loop, where it runs a
    plain function in a worker thread (a thread hop a step)."""
    index_committed_result(transaction)


index_committed_result.log_on_run = False  # type: ignore[attr-defined]
index_committed_result_async.log_on_run = False  # type: ignore[attr-defined]
"""Prefect logs every commit hook it runs unless told not to: a log line per step is a cost the index need not add."""


def indexed(step: Task[P, R]) -> Task[P, R]:
    """Note every result this cached step writes in the cache index (put it above the step's `@task`)."""
    if step.isasync:
        step.on_commit(index_committed_result_async)  # type: ignore[arg-type]  # Prefect awaits a coroutine hook
    else:
        step.on_commit(index_committed_result)
    return step
