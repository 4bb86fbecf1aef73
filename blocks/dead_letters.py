"""The dead-letter store: what a pipeline gave up on, kept in the pipeline store until replayed or discarded.

    letters = DeadLetters(PipelineStore.from_environment())
    letters.record(outcome, flow_run_id)          # a failed or rejected DocumentOutcome
    letters.list(status="open", step="enrich")    # filters: status, step, error_type, since, ids, limit
    letters.mark([3, 4], "discarded")

Recording the same item at the same step while its dead letter is open counts one more attempt on that
row (an upsert on both SQLite and PostgreSQL), so the table holds one open row per item and step.
Every record emits `agentic.dead_letter.recorded`, which the "dead letters piling up" automation counts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect.events import emit_event
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from blocks.sql import as_utc, chunks, dialect_insert, utc_now
from blocks.store import PipelineStore
from blocks.tables import (
    DEAD_LETTER_STATUSES,
    DOCUMENT_TEXT_REF,
    OPEN,
    OPEN_ONLY,
    REPLAYED,
    DeadLetterRow,
    DeadLetterStatus,
    DocumentRow,
)
from domain.errors import BudgetExhausted, InvalidInput
from domain.events import DEAD_LETTER_RECORDED, DEAD_LETTER_RESOURCE_PREFIX, DOCUMENT_RESOURCE_PREFIX
from domain.models.common import content_id
from domain.models.documents import DocumentOutcome

UNKNOWN_STEP = "unknown"
REJECTED_ERROR_TYPE = "Rejected"
"""The error type of an outcome rejected after validation (by a reviewer); rejected input is InvalidInput."""
GENERIC_ERROR_TYPE = "Error"
BUDGET_ERROR_TYPE = "budget"
"""The type of a dead letter its pipeline's shared budget stopped (BudgetExhausted): a replay takes it once the
budget's period rolled over."""

_TYPED_ERROR = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$", re.DOTALL)
"""How the pipeline writes an exception into an outcome: `ClassName: message`."""

logger = logging.getLogger(__name__)




def error_parts(outcome: DocumentOutcome) -> tuple[str, str]:
    """An outcome's error as (error type, message): `ConnectionFailed: refused` → ("ConnectionFailed", "refused");
    a BudgetExhausted is of type `budget`."""
    error = outcome.error or ""
    if match := _TYPED_ERROR.match(error):
        return (BUDGET_ERROR_TYPE if match["type"] == BudgetExhausted.__name__ else match["type"]), match["message"]
    if outcome.status == "rejected":
        return (InvalidInput.__name__ if outcome.failed_step in (None, "validate") else REJECTED_ERROR_TYPE), error
    return GENERIC_ERROR_TYPE, error


def inputs_ref_of(outcome: DocumentOutcome) -> str | None:
    """Where a replay finds the outcome's inputs: its document's stored text; None for rejected input."""
    if outcome.document_id is None or (outcome.status == "rejected" and outcome.failed_step in (None, "validate")):
        return None
    return f"{DOCUMENT_TEXT_REF}{outcome.document_id}"


def item_id(outcome: DocumentOutcome) -> str:
    """The dead letter's item id: the document id, or for a source that never got one, the hash of its name."""
    return outcome.document_id or content_id(f"source:{outcome.source}")



class DeadLetters:
    """Record, query and settle dead letters in a pipeline store (SQLite or PostgreSQL)."""

    def __init__(self, store: PipelineStore) -> None:
        self.store = store

    def _session(self) -> Session:
        return Session(self.store.engine())

    def record(
        self, outcome: DocumentOutcome, flow_run_id: str | None, attempts: int = 1, raw_output: str | None = None
    ) -> DeadLetterRow:
        """Keep a failed or rejected outcome; the same item and step while open adds `attempts` to its row."""
        if outcome.status not in ("failed", "rejected"):
            raise ValueError(f"{outcome.source}: only failed or rejected outcomes are dead letters, "
                             f"not {outcome.status}")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        error_type, message = error_parts(outcome)
        now = utc_now()
        values: dict[str, Any] = {
            "document_id": item_id(outcome), "source": outcome.source, "flow_run_id": flow_run_id,
            "step": outcome.failed_step or UNKNOWN_STEP, "error_type": error_type, "error_message": message,
            "attempts": attempts, "inputs_ref": inputs_ref_of(outcome), "raw_output": raw_output,
            "first_seen": now, "last_seen": now, "status": OPEN,
        }
        table = DeadLetterRow.__table__  # type: ignore[attr-defined]
        with self._session() as session:
            statement = dialect_insert(session, table).values(values)
            new = statement.excluded
            statement = statement.on_conflict_do_update(
                index_elements=["document_id", "step"], index_where=OPEN_ONLY,
                set_={
                    "attempts": table.c.attempts + new.attempts, "last_seen": new.last_seen,
                    "flow_run_id": new.flow_run_id, "source": new.source, "error_type": new.error_type,
                    "error_message": new.error_message, "inputs_ref": new.inputs_ref,
                    "raw_output": func.coalesce(new.raw_output, table.c.raw_output),
                },
            ).returning(table.c.id)
            row_id = session.exec(statement).scalar_one()  # type: ignore[call-overload]
            session.commit()
            row = session.get(DeadLetterRow, row_id)
            assert row is not None
        _announce(row)
        return row

    def list(
        self,
        status: DeadLetterStatus | None = None,
        step: str | None = None,
        error_type: str | None = None,
        since: datetime | None = None,
        ids: Iterable[int] | None = None,
        limit: int | None = None,
    ) -> list[DeadLetterRow]:
        """Dead letters matching every filter given (since: last seen at or after), oldest first."""
        query = select(DeadLetterRow)
        if status is not None:
            _check_status(status)
            query = query.where(DeadLetterRow.status == status)
        if step is not None:
            query = query.where(DeadLetterRow.step == step)
        if error_type is not None:
            query = query.where(DeadLetterRow.error_type == error_type)
        if since is not None:
            query = query.where(DeadLetterRow.last_seen >= as_utc(since))
        if ids is not None:
            query = query.where(DeadLetterRow.id.in_(list(ids)))  # type: ignore[union-attr]
        query = query.order_by(DeadLetterRow.id)  # type: ignore[arg-type]
        if limit is not None:
            query = query.limit(limit)
        with self._session() as session:
            return list(session.exec(query).all())

    def get(self, dead_letter_id: int) -> DeadLetterRow | None:
        """One dead letter by id, or None."""
        with self._session() as session:
            return session.get(DeadLetterRow, dead_letter_id)

    def find_open(self, document_id: str, step: str) -> DeadLetterRow | None:
        """The open dead letter of an item at a step, if there is one."""
        query = select(DeadLetterRow).where(
            DeadLetterRow.document_id == document_id, DeadLetterRow.step == step, DeadLetterRow.status == OPEN
        )
        with self._session() as session:
            return session.exec(query).first()

    def mark(self, ids: Sequence[int], status: DeadLetterStatus) -> list[DeadLetterRow]:
        """Set the status of these dead letters; the ones it changed (unknown ids and no-op changes are left out)."""
        _check_status(status)
        with self._session() as session:
            rows = list(session.exec(select(DeadLetterRow).where(
                DeadLetterRow.id.in_(list(ids)), DeadLetterRow.status != status  # type: ignore[union-attr]
            )).all())
            for row in rows:
                row.status = status
                session.add(row)
            try:
                session.commit()
            except IntegrityError as exc:
                raise ValueError(
                    f"cannot reopen: the same item and step already has an open dead letter ({exc.orig})"
                ) from None
            for row in rows:
                session.refresh(row)
        return rows

    def settle_processed(self, document_ids: Sequence[str]) -> int:
        """Mark the open dead letters of documents that have since been processed as replayed; how many."""
        settled = 0
        with self._session() as session:
            for ids in chunks(document_ids):
                result = session.exec(update(DeadLetterRow).where(  # type: ignore[call-overload]
                    DeadLetterRow.document_id.in_(ids),  # type: ignore[attr-defined]
                    DeadLetterRow.status == OPEN,
                ).values(status=REPLAYED, last_seen=utc_now()))
                settled += result.rowcount
            session.commit()
        return settled

    def count_attempt(self, dead_letter_id: int, flow_run_id: str | None) -> DeadLetterRow | None:
        """One more attempt that did not settle an open dead letter (e.g. a replay that failed elsewhere)."""
        with self._session() as session:
            session.exec(update(DeadLetterRow).where(  # type: ignore[call-overload]
                DeadLetterRow.id == dead_letter_id, DeadLetterRow.status == OPEN
            ).values(attempts=DeadLetterRow.attempts + 1, last_seen=utc_now(), flow_run_id=flow_run_id))
            session.commit()
            return session.get(DeadLetterRow, dead_letter_id)

    def inputs(self, row: DeadLetterRow) -> str | None:
        """The text to replay a dead letter with: its document's stored text; None for rejected input or lost text."""
        if row.inputs_ref is None or not row.inputs_ref.startswith(DOCUMENT_TEXT_REF):
            return None
        with self._session() as session:
            document = session.get(DocumentRow, row.inputs_ref.removeprefix(DOCUMENT_TEXT_REF))
            return document.text if document else None


def _check_status(status: str) -> None:
    if status not in DEAD_LETTER_STATUSES:
        raise ValueError(f"unknown dead-letter status {status!r}: use one of {', '.join(DEAD_LETTER_STATUSES)}")


def _announce(row: DeadLetterRow) -> None:
    """Emit agentic.dead_letter.recorded; a dead letter that is stored but not announced is only logged."""
    try:
        event = emit_event(
            event=DEAD_LETTER_RECORDED,
            resource={"prefect.resource.id": f"{DEAD_LETTER_RESOURCE_PREFIX}{row.id}",
                      "prefect.resource.name": f"{Path(row.source).name} at {row.step}"},
            related=[{"prefect.resource.id": f"{DOCUMENT_RESOURCE_PREFIX}{row.document_id}",
                      "prefect.resource.role": "document"}],
            payload={"dead_letter_id": row.id, "document_id": row.document_id, "source": row.source,
                     "step": row.step, "error_type": row.error_type, "attempts": row.attempts,
                     "flow_run_id": row.flow_run_id},
        )
    except Exception:  # noqa: BLE001 - the dead letter is stored; the event is the announcement only
        logger.warning("dead letter %s stored, but its event could not be emitted", row.id, exc_info=True)
        return
    if event is None:
        logger.warning("dead letter %s stored; no event emitted (Prefect events are not configured)", row.id)
