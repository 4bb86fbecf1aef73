"""The publish compensation log: which step of a document's publish was started, done or undone.

Prefect's `on_rollback` hooks undo a failed publish inside the process that ran it; this log, kept in
the pipeline store, lets the next run finish or undo a publish that a crash cut short.

    log = SagaLog(store)
    saga = log.begin(document_id, outcome_json, text, content_hash, pipeline_key, flow_run_id, "store")
    log.step(document_id, {"store": "done", "export": "started"}) … log.finish(document_id, "published")
"""

from __future__ import annotations

import json
import uuid
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import PublishSagaRow
from agentic_kit._domain.redaction import redacted_text

PUBLISHING, PUBLISHED, COMPENSATED = "publishing", "published", "compensated"
SagaStatus = Literal["publishing", "published", "compensated"]
StepState = Literal["started", "done", "compensated"]
QUERY_CHUNK = 500
"""Ids per IN (…) query: well under every database's limit of bound parameters."""


class SagaLog:
    """Reads and writes the publish_sagas table of one pipeline store."""

    def __init__(self, store: PipelineStore) -> None:
        self.engine = store.engine()

    def get(self, document_id: str) -> PublishSagaRow | None:
        with Session(self.engine) as session:
            return session.get(PublishSagaRow, document_id)

    def begin(self, document_id: str, payload: str, text: str | None, content_hash: str, pipeline_key: str,
              flow_run_id: str | None, first_step: str) -> PublishSagaRow:
        """Start a publish with first_step started, or take over an unfinished one of the same content (keeping
        its idempotency keys and what its steps did)."""
        with Session(self.engine) as session:
            row = session.get(PublishSagaRow, document_id)
            resumed = row is not None and row.status == PUBLISHING and row.content_hash == content_hash
            if row is None:
                row = PublishSagaRow(document_id=document_id, saga_id="", content_hash=content_hash,
                                     status=PUBLISHING, payload=payload)
            if not resumed:
                row.saga_id, row.steps, row.started_at, row.error = uuid.uuid4().hex, "{}", utc_now(), None
            row.content_hash, row.status, row.payload, row.text = content_hash, PUBLISHING, payload, text
            row.pipeline_key, row.steps = pipeline_key, json.dumps({**json.loads(row.steps), first_step: "started"})
            row.flow_run_id, row.updated_at, row.invalidated_at = flow_run_id, utc_now(), None
            session.add(row)
            session.commit()
            session.refresh(row)
            return row

    def step(self, document_id: str, states: dict[str, StepState]) -> None:
        """Record that steps of a document's publish were started, done or compensated."""
        with Session(self.engine) as session:
            row = session.get(PublishSagaRow, document_id)
            if row is None:
                raise LookupError(f"no publish of document {document_id} to record {states} in")
            row.steps = json.dumps({**json.loads(row.steps), **states})
            row.updated_at = utc_now()
            session.add(row)
            session.commit()

    def finish(self, document_id: str, status: SagaStatus, error: str | None = None) -> None:
        """Close a document's publish as published or compensated."""
        with Session(self.engine) as session:
            row = session.get(PublishSagaRow, document_id)
            if row is None:
                raise LookupError(f"no publish of document {document_id} to finish")
            row.status, row.error, row.updated_at = status, redacted_text(error) if error else error, utc_now()
            session.add(row)
            session.commit()

    def published(self, document_ids: list[str], pipeline_key: str) -> list[PublishSagaRow]:
        """The publishes of these documents that completed with the same pipeline (models, API, settings, code)."""
        found: list[PublishSagaRow] = []
        with Session(self.engine) as session:
            for start in range(0, len(document_ids), QUERY_CHUNK):
                found += session.exec(select(PublishSagaRow).where(
                    col(PublishSagaRow.document_id).in_(document_ids[start:start + QUERY_CHUNK]),
                    PublishSagaRow.status == PUBLISHED, PublishSagaRow.pipeline_key == pipeline_key,
                    col(PublishSagaRow.invalidated_at).is_(None)))
        return found

    def reopen(self, document_ids: list[str]) -> int:
        """Mark the completed publishes of these documents invalidated (a cached step of theirs was): the next run
        processes them again instead of reading their outcome back. Returns how many were marked."""
        marked = 0
        with Session(self.engine) as session:
            for start in range(0, len(document_ids), QUERY_CHUNK):
                result = session.exec(update(PublishSagaRow).where(
                    col(PublishSagaRow.document_id).in_(document_ids[start:start + QUERY_CHUNK]),
                    col(PublishSagaRow.status) == PUBLISHED).values(invalidated_at=utc_now()))
                marked += result.rowcount
            session.commit()
        return marked

    def confirm(self, document_id: str, pipeline_key: str) -> None:
        """Record that a published outcome, made again by this pipeline, came out the same: it counts as published
        by it (and is no longer invalidated)."""
        with Session(self.engine) as session:
            row = session.get(PublishSagaRow, document_id)
            if row is None or row.status != PUBLISHED:
                raise LookupError(f"no completed publish of document {document_id} to confirm")
            row.pipeline_key, row.invalidated_at, row.updated_at = pipeline_key, None, utc_now()
            session.add(row)
            session.commit()

    def unfinished(self) -> list[PublishSagaRow]:
        """Publishes that neither completed nor were compensated: a crash interrupted them (or they still run)."""
        with Session(self.engine) as session:
            return list(session.exec(select(PublishSagaRow).where(PublishSagaRow.status == PUBLISHING)))


def steps_of(row: PublishSagaRow) -> dict[str, StepState]:
    """A saga row's step states."""
    return json.loads(row.steps)
