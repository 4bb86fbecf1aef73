"""Invalidate cached step results so exactly those steps run again on the next run, and nothing else.

Prefect finds a cached result by asking its result storage whether a record exists under the cache key, and a
record whose expiration has passed does not count. Prefect's storage blocks (a local folder, S3 …) can write but
not delete, so an invalidated result is overwritten, through Prefect's own ResultStore, by an empty record that
has already expired: the next run computes the step and writes over it. The write holds the step's lock (the key
Prefect's transactions lock), so a worker computing that step right now finishes first. A document published by a
pipeline is skipped whole by the next run of that pipeline; its publish is marked invalidated so that the next run
processes it again (its other steps still come from cache).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from uuid import UUID

from prefect.filesystems import LocalFileSystem, WritableFileSystem
from prefect.locking.protocol import LockManager
from prefect.results import ResultStore, resolve_result_storage

from agentic_kit._blocks.cache_index import CacheIndex
from agentic_kit._blocks.saga_log import SagaLog
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import CachedResultRow
from agentic_kit._domain.errors import StepBusy

LOCK_WAIT_SECONDS = 60.0
"""How long an invalidation waits for a step that is running right now."""


def result_storage_of(entry: CachedResultRow) -> WritableFileSystem:
    """The storage an entry's record lives in: its saved block, or the local folder holding its file."""
    if entry.storage_block_id:
        return resolve_result_storage(UUID(entry.storage_block_id))  # type: ignore[return-value]
    return LocalFileSystem(basepath=str(Path(entry.storage_key).parent))


def expire_record(entry: CachedResultRow, lock_manager: LockManager | None) -> None:
    """Overwrite an entry's record with an expired empty one, holding its step's lock when steps are locked."""
    results = ResultStore(result_storage=result_storage_of(entry), lock_manager=lock_manager)
    holder = f"cache-invalidation-{uuid.uuid4().hex}"
    if lock_manager is not None and not results.acquire_lock(entry.cache_key, holder, timeout=LOCK_WAIT_SECONDS):
        raise StepBusy(f"step {entry.step} of document {entry.document_id} has been running for over "
                       f"{LOCK_WAIT_SECONDS:.0f} s; invalidate it again once it has finished")
    try:
        # Prefect annotates expiration as its DateTime; its record model validates any aware datetime
        results.write(None, key=entry.storage_key, expiration=utc_now(), holder=holder)  # type: ignore[arg-type]
    finally:
        if lock_manager is not None:
            results.release_lock(entry.cache_key, holder)


def invalidate(store: PipelineStore, entries: list[CachedResultRow], lock_manager: LockManager | None) -> int:
    """Expire these cached results, reopen the publishes of their documents and drop them from the index; returns
    how many results were invalidated."""
    for entry in entries:
        expire_record(entry, lock_manager)
    SagaLog(store).reopen(sorted({entry.document_id for entry in entries if entry.document_id}))
    CacheIndex(store).forget(entries)
    return len(entries)
