"""The index of cached step results in the store's cached_results table: which step, model, instructions version
and document each result record in Prefect's result storage belongs to, so a person can list and invalidate them.

Prefect itself keeps no such index: a cached result is a file (or object) named by its cache key, a hash that says
nothing about the step. The rows are written when a step commits its record (agentic_kit/_steps/cache_index.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, tuple_
from sqlmodel import Session, col, select

from agentic_kit._blocks.sql import as_utc, chunks, upsert_rows
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import CachedResultRow


def add_entries(session: Session, rows: list[CachedResultRow]) -> None:
    """Add entries; a record written again (after an invalidation) replaces its entry."""
    upsert_rows(session, rows, keep=())


@dataclass(frozen=True)
class CacheSelection:
    """Which cached results: every filter given must match (a document by its id or the start of it)."""

    step: str | None = None
    model: str | None = None
    document: str | None = None
    before: datetime | None = None
    """Only results created before this moment."""


class CacheIndex:
    """Reads and writes the cached_results table of one pipeline store."""

    def __init__(self, store: PipelineStore) -> None:
        self.engine = store.engine()

    def entries(self, selection: CacheSelection) -> list[CachedResultRow]:
        """The entries the selection matches, oldest first."""
        query = select(CachedResultRow).order_by(col(CachedResultRow.created_at))
        if selection.step is not None:
            query = query.where(CachedResultRow.step == selection.step)
        if selection.model is not None:
            query = query.where(CachedResultRow.model == selection.model)
        if selection.document is not None:
            query = query.where(col(CachedResultRow.document_id).startswith(selection.document, autoescape=True))
        if selection.before is not None:
            query = query.where(col(CachedResultRow.created_at) < as_utc(selection.before))
        with Session(self.engine) as session:
            return list(session.exec(query))

    def steps(self) -> list[str]:
        """The names of the steps that have cached results, in order."""
        with Session(self.engine) as session:
            return sorted(session.exec(select(CachedResultRow.step).distinct()))

    def forget(self, rows: list[CachedResultRow]) -> None:
        """Remove these entries."""
        addresses = [(row.storage_block_id, row.storage_key) for row in rows]
        key = tuple_(col(CachedResultRow.storage_block_id), col(CachedResultRow.storage_key))
        with Session(self.engine) as session:
            for part in chunks(addresses):
                session.exec(delete(CachedResultRow).where(key.in_(part)))
            session.commit()
