"""The dead-letter table: every document or item a pipeline gave up on, with what it takes to try it again."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from blocks.store_tables import utc_now

DeadLetterStatus = Literal["open", "replayed", "discarded"]
"""open: waiting for a replay or a person; replayed: a replay processed it; discarded: a person gave up on it."""
DEAD_LETTER_STATUSES: tuple[str, ...] = get_args(DeadLetterStatus)
OPEN: DeadLetterStatus = "open"
REPLAYED: DeadLetterStatus = "replayed"
DISCARDED: DeadLetterStatus = "discarded"

DOCUMENT_TEXT_REF = "documents.text:"
"""inputs_ref prefix: the inputs are the `text` column of the `documents` row keyed by what follows."""

OPEN_ONLY = text("status = 'open'")
"""The rows the one-open-letter-per-item-and-step index covers (and an upsert's conflict target names)."""


class DeadLetterRow(SQLModel, table=True):
    """One item that failed or was rejected at a step; recording it again while open counts another attempt."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("uq_dead_letters_open_item_step", "document_id", "step", unique=True,
              sqlite_where=OPEN_ONLY, postgresql_where=OPEN_ONLY),
        CheckConstraint("status IN ('open', 'replayed', 'discarded')", name="ck_dead_letters_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(index=True, max_length=64,
                             description="the item id: the document's content hash (of the source name without one)")
    source: str
    flow_run_id: str | None = Field(default=None, description="the flow run that recorded it last")
    step: str = Field(index=True, description="the step that failed: validate, extract_entities, enrich, …")
    error_type: str = Field(index=True, description="the error's class name, e.g. ConnectionFailed")
    error_message: str
    attempts: int = 1
    inputs_ref: str | None = Field(
        default=None, description="where the inputs are: documents.text:<document id>; null for rejected input"
    )
    raw_output: str | None = Field(default=None, description="a model's raw invalid answer, when there was one")
    first_seen: datetime = Field(default_factory=utc_now)
    last_seen: datetime = Field(default_factory=utc_now, index=True)
    status: str = Field(default=OPEN, index=True, description="open, replayed or discarded")
