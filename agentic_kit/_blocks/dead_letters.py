"""The dead-letter store: what a pipeline gave up on, kept in the pipeline store until replayed or discarded.

    letters = DeadLetters(PipelineStore.from_environment())
    letters.record_item(pipeline="ticket-triage", item_id=ticket.id, source=ticket.url, step="classify",
                        error_type="Timeout", error_message="…", flow_run_id=run_id,
                        item_payload=ticket.model_dump_json(), replay_entrypoint="flows.tickets:replay_tickets")
    letters.record(outcome, flow_run_id)          # the document pipeline's: a failed or rejected DocumentOutcome
    letters.list(status="open", pipeline="ticket-triage", step="classify")  # also error_type, since, ids, limit
    letters.mark([3, 4], "discarded")

Any pipeline keeps its letters here: each names its pipeline (the flow that recorded it), the item as JSON and
the entrypoint (`module:attribute`) of the Prefect flow that replays that pipeline's letters, so
`agentic dead-letters replay` sends every letter back through the pipeline that recorded it, never another one.
That replay flow, not the command, marks a letter replayed, and only once its pipeline processed the item.
The document pipeline's letters keep their item by reference instead (`inputs_ref`, the stored text); rows of
a store older than the pipeline column are the document pipeline's and replay through its flow.

Recording the same item of a pipeline at the same step while its dead letter is open counts one more attempt
on that row (an upsert on both SQLite and PostgreSQL), so the table holds one open row per pipeline, item and
step; two pipelines may hold letters for the same item id. Every record emits `agentic.dead_letter.recorded`,
which the "dead letters piling up" automation counts.
"""

from __future__ import annotations

import builtins
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect.events import emit_event
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agentic_kit._blocks.sql import as_utc, chunks, dialect_insert, utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import (
    DEAD_LETTER_STATUSES,
    DOCUMENT_PIPELINE,
    DOCUMENT_TEXT_REF,
    OPEN,
    OPEN_ONLY,
    REPLAYED,
    DeadLetterRow,
    DeadLetterStatus,
    DocumentRow,
)
from agentic_kit._domain.errors import BudgetExhausted, InvalidInput
from agentic_kit._domain.events import DEAD_LETTER_RECORDED, DEAD_LETTER_RESOURCE_PREFIX, DOCUMENT_RESOURCE_PREFIX
from agentic_kit._domain.models.common import content_id
from agentic_kit._domain.models.documents import DocumentOutcome
from agentic_kit._domain.redaction import redacted_text, scrubbed

UNKNOWN_STEP = "unknown"
REJECTED_ERROR_TYPE = "Rejected"
"""The error type of an outcome rejected after validation (by a reviewer); rejected input is InvalidInput."""
GENERIC_ERROR_TYPE = "Error"
BUDGET_ERROR_TYPE = "budget"
"""The type of a dead letter its pipeline's shared budget stopped (BudgetExhausted): a replay takes it once the
budget's period rolled over."""

_TYPED_ERROR = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$", re.DOTALL)
"""How the pipeline writes an exception into an outcome: `ClassName: message`."""

DOCUMENT_REPLAY_ENTRYPOINT = "flows.dead_letter_replay:dead_letter_replay"
"""The flow that replays the document pipeline's dead letters (and those of a store older than the pipeline column)."""

ITEM_ID_MAX_LENGTH = 64
"""The longest item id a dead letter keeps (a document's SHA-256): hash a longer one, e.g. with content_id."""

logger = logging.getLogger(__name__)


def replay_entrypoint_of(row: DeadLetterRow) -> str | None:
    """The `module:attribute` of the flow that replays this dead letter: its own; the document pipeline's for a row
    of an older store; None when another pipeline recorded it without one (it cannot be replayed)."""
    if row.replay_entrypoint:
        return row.replay_entrypoint
    return DOCUMENT_REPLAY_ENTRYPOINT if row.pipeline == DOCUMENT_PIPELINE else None


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
        """Keep a failed or rejected document outcome; the same item and step while open adds `attempts` to its row."""
        if outcome.status not in ("failed", "rejected"):
            raise ValueError(f"{outcome.source}: only failed or rejected outcomes are dead letters, "
                             f"not {outcome.status}")
        error_type, message = error_parts(outcome)
        return self.record_item(
            pipeline=DOCUMENT_PIPELINE, item_id=item_id(outcome), source=outcome.source,
            step=outcome.failed_step or UNKNOWN_STEP, error_type=error_type, error_message=message,
            flow_run_id=flow_run_id, item_payload=None, replay_entrypoint=DOCUMENT_REPLAY_ENTRYPOINT,
            raw_output=raw_output, inputs_ref=inputs_ref_of(outcome), attempts=attempts,
        )

    def record_item(
        self,
        *,
        pipeline: str,
        item_id: str,
        source: str,
        step: str,
        error_type: str,
        error_message: str,
        flow_run_id: str | None,
        item_payload: str | None,
        replay_entrypoint: str | None,
        raw_output: str | None = None,
        inputs_ref: str | None = None,
        attempts: int = 1,
    ) -> DeadLetterRow:
        """Keep an item a pipeline gave up on; the same pipeline, item and step while open adds `attempts` to it.
        Its error message is redacted, and its raw output rid of every registered secret, whoever wrote them."""
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not pipeline or not item_id or not step:
            raise ValueError("a dead letter needs its pipeline, item id and step")
        if len(item_id) > ITEM_ID_MAX_LENGTH:
            raise ValueError(f"item id {item_id[:16]}… is longer than {ITEM_ID_MAX_LENGTH} characters: hash it "
                             f"(e.g. content_id) and keep the item in item_payload")
        if replay_entrypoint is not None and not _is_entrypoint(replay_entrypoint):
            raise ValueError(f"replay entrypoint {replay_entrypoint!r} is not module:attribute, e.g. "
                             f"{DOCUMENT_REPLAY_ENTRYPOINT}")
        now = utc_now()
        values: dict[str, Any] = {
            "pipeline": pipeline, "document_id": item_id, "source": source, "flow_run_id": flow_run_id,
            "step": step, "error_type": error_type, "error_message": redacted_text(error_message), "attempts": attempts,
            "inputs_ref": inputs_ref, "raw_output": scrubbed(raw_output) if raw_output else raw_output, "item_payload": item_payload,
            "replay_entrypoint": replay_entrypoint, "first_seen": now, "last_seen": now, "status": OPEN,
        }
        table = DeadLetterRow.__table__  # type: ignore[attr-defined]
        with self._session() as session:
            statement = dialect_insert(session, table).values(values)
            new = statement.excluded
            statement = statement.on_conflict_do_update(
                index_elements=["pipeline", "document_id", "step"], index_where=OPEN_ONLY,
                set_={
                    "attempts": table.c.attempts + new.attempts, "last_seen": new.last_seen,
                    "flow_run_id": new.flow_run_id, "source": new.source, "error_type": new.error_type,
                    "error_message": new.error_message, "inputs_ref": new.inputs_ref,
                    "raw_output": func.coalesce(new.raw_output, table.c.raw_output),
                    "item_payload": func.coalesce(new.item_payload, table.c.item_payload),
                    "replay_entrypoint": func.coalesce(new.replay_entrypoint, table.c.replay_entrypoint),
                },
            ).returning(table.c.id)
            row_id = session.exec(statement).scalar_one()
            session.commit()
            row = session.get(DeadLetterRow, row_id)
            assert row is not None
        _announce(row)
        return row

    def open_items(self, pipeline: str, ids: Iterable[int]) -> list[DeadLetterRow]:
        """The open dead letters of a pipeline among these ids (a replay takes no other pipeline's), oldest first."""
        return self.list(status=OPEN, pipeline=pipeline, ids=ids)

    def list(
        self,
        status: DeadLetterStatus | None = None,
        step: str | None = None,
        error_type: str | None = None,
        since: datetime | None = None,
        ids: Iterable[int] | None = None,
        limit: int | None = None,
        pipeline: str | None = None,
    ) -> list[DeadLetterRow]:
        """Dead letters matching every filter given (since: last seen at or after), oldest first."""
        query = select(DeadLetterRow)
        if pipeline is not None:
            query = query.where(DeadLetterRow.pipeline == pipeline)
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
            query = query.where(col(DeadLetterRow.id).in_(list(ids)))
        query = query.order_by(col(DeadLetterRow.id))
        if limit is not None:
            query = query.limit(limit)
        with self._session() as session:
            return list(session.exec(query).all())

    def get(self, dead_letter_id: int) -> DeadLetterRow | None:
        """One dead letter by id, or None."""
        with self._session() as session:
            return session.get(DeadLetterRow, dead_letter_id)

    def find_open(self, document_id: str, step: str, pipeline: str = DOCUMENT_PIPELINE) -> DeadLetterRow | None:
        """The open dead letter of a pipeline's item at a step, if there is one."""
        query = select(DeadLetterRow).where(
            DeadLetterRow.pipeline == pipeline, DeadLetterRow.document_id == document_id,
            DeadLetterRow.step == step, DeadLetterRow.status == OPEN,
        )
        with self._session() as session:
            return session.exec(query).first()

    # builtins.list: in this class body `list` names the method above
    def mark(self, ids: Sequence[int], status: DeadLetterStatus) -> builtins.list[DeadLetterRow]:
        """Set the status of these dead letters; the ones it changed (unknown ids and no-op changes are left out)."""
        _check_status(status)
        with self._session() as session:
            rows = list(session.exec(select(DeadLetterRow).where(
                col(DeadLetterRow.id).in_(list(ids)), DeadLetterRow.status != status
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

    def settle_processed(self, document_ids: Sequence[str], pipeline: str = DOCUMENT_PIPELINE) -> int:
        """Mark a pipeline's open dead letters of items it has since processed as replayed; how many."""
        settled = 0
        with self._session() as session:
            for ids in chunks(document_ids):
                result = session.exec(update(DeadLetterRow).where(
                    col(DeadLetterRow.pipeline) == pipeline,
                    col(DeadLetterRow.document_id).in_(ids),
                    col(DeadLetterRow.status) == OPEN,
                ).values(status=REPLAYED, last_seen=utc_now()))
                settled += result.rowcount
            session.commit()
        return settled

    def settle_items(self, pipeline: str, item_ids: Sequence[str]) -> int:
        """Mark a pipeline's open dead letters of items it has since processed as replayed; how many."""
        return self.settle_processed(item_ids, pipeline=pipeline)

    def count_attempt(self, dead_letter_id: int, flow_run_id: str | None) -> DeadLetterRow | None:
        """One more attempt that did not settle an open dead letter (e.g. a replay that failed elsewhere)."""
        with self._session() as session:
            session.exec(update(DeadLetterRow).where(
                col(DeadLetterRow.id) == dead_letter_id, col(DeadLetterRow.status) == OPEN
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


def _is_entrypoint(entrypoint: str) -> bool:
    """Whether a replay entrypoint reads `module:attribute` (both dotted paths, e.g. flows.tickets:triage.replay)."""
    module, _, attribute = entrypoint.partition(":")
    return all(part.isidentifier() for name in (module, attribute) for part in name.split("."))


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
                      "prefect.resource.role": "document"}] if row.pipeline == DOCUMENT_PIPELINE else [],
            payload={"dead_letter_id": row.id, "pipeline": row.pipeline, "document_id": row.document_id,
                     "source": row.source, "step": row.step, "error_type": row.error_type,
                     "attempts": row.attempts, "flow_run_id": row.flow_run_id},
        )
    except Exception:  # the dead letter is stored; the event is the announcement only
        logger.warning("dead letter %s stored, but its event could not be emitted", row.id, exc_info=True)
        return
    if event is None:
        logger.warning("dead letter %s stored; no event emitted (Prefect events are not configured)", row.id)
