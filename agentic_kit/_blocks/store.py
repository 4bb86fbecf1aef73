"""The pipeline store block: a SQL database (SQLite file by default, PostgreSQL at scale) and its writes."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, cast

from prefect.blocks.core import Block
from pydantic import Field, SecretStr
from sqlalchemy import DefaultClause, Engine, bindparam, delete, event, func, insert, inspect, or_, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, SQLModel, col, create_engine, select
from sqlmodel.sql.expression import Select

from agentic_kit._blocks import (
    agent_tables,  # noqa: F401 - registers the agents' tables for create_all
    budget_tables,  # noqa: F401 - registers the shared budget's tables for create_all
    rollout_tables,  # noqa: F401 - registers the rollouts' tables for create_all
)
from agentic_kit._blocks.sql import UTCDateTime, chunks, upsert, utc_now
from agentic_kit._blocks.tables import (
    CallRow,
    DocumentRow,
    EntityRow,
    HealthCheckRow,
    ModelExchangeRow,
    ModelUsageRow,
    PipelineItemRow,
    ReviewRow,
    SummaryRow,
    WebhookDeliveryRow,
)
from agentic_kit._domain.models.common import UsageTotals
from agentic_kit._domain.models.documents import DocumentOutcome
from agentic_kit._domain.settings import DEFAULT_DATABASE_URL, current_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class PipelineStore(Block):
    """Where documents, their results and model usage are kept: any SQLAlchemy URL (SQLite or PostgreSQL)."""

    _block_type_name = "Pipeline Store"
    shapes_answers: ClassVar[bool] = False
    """Where results are written never changes them: a step's cache key leaves the store out."""
    _description = "The database the pipelines write documents, entities, summaries, reviews and usage to."

    database_url: SecretStr = Field(
        default=SecretStr(DEFAULT_DATABASE_URL),
        description="e.g. sqlite:///.agentic/pipeline.db or postgresql://user:pass@host:5432/db",
    )

    @classmethod
    def from_environment(cls) -> PipelineStore:
        """The store AGENTIC_DATABASE_URL names, or the SQLite default."""
        return cls(database_url=current_settings().database_url)

    def engine(self) -> Engine:
        """This store's engine, created once per process with its tables."""
        return _engine_for(self.database_url.get_secret_value())

    def save_outcome(self, outcome: DocumentOutcome, text: str | None, flow_run_id: str | None) -> None:
        """Write one document's outcome and results in one transaction; writing it again changes nothing."""
        document_id = outcome.document_id
        if document_id is None:
            raise ValueError(f"{outcome.source}: an outcome without a document id cannot be stored")
        with Session(self.engine()) as session:
            upsert(session, DocumentRow(
                id=document_id, source=outcome.source, status=outcome.status, text=text,
                format=outcome.format, encoding=outcome.encoding, chunks=outcome.chunks or None,
                model=outcome.models.get("extract_entities"), entity_count=len(outcome.entities),
                enrichment_note=outcome.enrichment_note, failed_step=outcome.failed_step,
                error=outcome.error, review_decision=outcome.review_decision,
                reviewer_note=outcome.reviewer_note, extras=json.dumps(outcome.extras) if outcome.extras else None,
                flow_run_id=flow_run_id, updated_at=utc_now(),
            ))
            if outcome.status == "processed":
                self._replace_results(session, document_id, outcome)
            session.commit()

    def save_item(self, row: PipelineItemRow) -> None:
        """Write where one item of a kit pipeline stands; writing it again updates it."""
        with Session(self.engine()) as session:
            upsert(session, row)
            session.commit()

    def retract_outcome(self, document_id: str) -> None:
        """Remove a document and its results (the undo of save_outcome in a failed publish)."""
        with Session(self.engine()) as session:
            for table in (EntityRow, SummaryRow, ReviewRow):
                session.exec(delete(table).where(col(table.document_id) == document_id))
            session.exec(delete(DocumentRow).where(col(DocumentRow.id) == document_id))
            session.commit()

    @staticmethod
    def _replace_results(session: Session, document_id: str, outcome: DocumentOutcome) -> None:
        """Replace a processed document's entities, summary and review."""
        session.exec(delete(EntityRow).where(col(EntityRow.document_id) == document_id))
        enrichments = {(e.name, e.type): e for e in outcome.enrichments}
        for position, entity in enumerate(outcome.entities):
            found = enrichments.get((entity.name, entity.type))
            session.add(EntityRow(
                document_id=document_id, position=position, name=entity.name, type=entity.type,
                found=found.found if found else None,
                canonical_name=found.canonical_name if found else None,
                description=found.description if found else None,
                url=found.url if found else None,
            ))
        if outcome.summary is not None:
            upsert(session, SummaryRow(document_id=document_id, summary=outcome.summary,
                                        model=outcome.models.get("summarize", "unknown")))
        if outcome.review is not None:
            upsert(session, ReviewRow(document_id=document_id, score=outcome.review.score,
                                       critique=outcome.review.critique, model=outcome.models.get("review", "unknown")))

    def processed_documents(self, flow_run_id: str) -> list[dict[str, Any]]:
        """The documents a flow run stored as processed, one flat record each: the document, its summary, its review
        and its entities (a JSON list), oldest first; what the run's Parquet export holds."""
        query = (select(DocumentRow, SummaryRow, ReviewRow)
                 .join(SummaryRow, col(SummaryRow.document_id) == col(DocumentRow.id), isouter=True)
                 .join(ReviewRow, col(ReviewRow.document_id) == col(DocumentRow.id), isouter=True)
                 .where(DocumentRow.flow_run_id == flow_run_id, DocumentRow.status == "processed")
                 .order_by(col(DocumentRow.first_seen), col(DocumentRow.id)))
        with Session(self.engine()) as session:
            rows = session.exec(query).all()
            entities: dict[str, list[dict[str, Any]]] = {}
            for ids in chunks([document.id for document, _, _ in rows]):
                in_batch = col(EntityRow.document_id).in_(ids)
                for entity in session.exec(select(EntityRow).where(in_batch)
                                           .order_by(col(EntityRow.document_id), col(EntityRow.position))):
                    entities.setdefault(entity.document_id, []).append(
                        entity.model_dump(exclude={"document_id", "position"}))
        return [{
            "document_id": document.id, "source": document.source, "format": document.format,
            "chunks": document.chunks, "model": document.model, "entity_count": document.entity_count,
            "entities": json.dumps(entities.get(document.id, [])), "enrichment_note": document.enrichment_note,
            "summary": summary.summary if summary else None, "summary_model": summary.model if summary else None,
            "review_score": review.score if review else None, "review_critique": review.critique if review else None,
            "review_model": review.model if review else None, "review_decision": document.review_decision,
            "reviewer_note": document.reviewer_note, "extras": document.extras, "flow_run_id": document.flow_run_id,
            "published_at": document.updated_at,
        } for document, summary, review in rows]

    def record_usage(self, usage: ModelUsageRow) -> None:
        """Keep one model call's tokens and cost."""
        with Session(self.engine()) as session:
            session.add(usage)
            session.commit()

    def record_calls(self, calls: list[CallRow | ModelExchangeRow]) -> None:
        """Keep call attempts' outcomes and durations, and model exchanges, in one transaction."""
        with Session(self.engine()) as session:
            session.add_all(calls)
            session.commit()

    def record_health(self, checks: list[HealthCheckRow]) -> None:
        """Keep one health check's answers."""
        with Session(self.engine()) as session:
            session.add_all(checks)
            session.commit()

    def accept_delivery(self, delivery_id: str, event_id: str, event_json: str) -> bool:
        """Record a webhook delivery id with the event it emits (its id and its JSON), in one committed write: the
        delivery is then in the gateway's outbox until Prefect confirms the event. False if the delivery was already
        recorded (by anyone, even a moment ago). A Core INSERT: a fifth of an ORM commit's CPU."""
        row = {"delivery_id": delivery_id, "event_id": event_id, "received_at": utc_now(), "event_json": event_json,
               "attempts": 0}
        try:
            with self.engine().begin() as connection:
                connection.execute(insert(WebhookDeliveryRow), row)
        except IntegrityError:
            return False
        return True

    def delivery_event(self, delivery_id: str) -> str | None:
        """The event id a recorded delivery starts."""
        with Session(self.engine()) as session:
            row = session.get(WebhookDeliveryRow, delivery_id)
            return row.event_id if row else None

    def outbox(self, limit: int) -> list[tuple[str, str, int]]:
        """Up to limit deliveries whose event waits for Prefect and is due now, oldest first: (delivery id, event
        JSON, unconfirmed sends so far)."""
        next_attempt_at = col(WebhookDeliveryRow.next_attempt_at)
        due = or_(next_attempt_at.is_(None), next_attempt_at <= utc_now())
        query = (select(WebhookDeliveryRow.delivery_id, WebhookDeliveryRow.event_json, WebhookDeliveryRow.attempts)
                 .where(col(WebhookDeliveryRow.sent_at).is_(None), col(WebhookDeliveryRow.event_json).is_not(None), due)
                 .order_by(col(WebhookDeliveryRow.received_at)).limit(limit))
        with Session(self.engine()) as session:
            return [(delivery_id, event_json or "", attempts) for delivery_id, event_json, attempts
                    in session.exec(query).all()]

    def mark_deliveries_sent(self, delivery_ids: list[str]) -> None:
        """Prefect confirmed these deliveries' events: out of the outbox (the event JSON is dropped: Prefect has it)."""
        sent = {"sent_at": utc_now(), "event_json": None, "next_attempt_at": None}
        with self.engine().begin() as connection:
            for ids in chunks(delivery_ids):
                connection.execute(update(WebhookDeliveryRow).where(col(WebhookDeliveryRow.delivery_id).in_(ids),
                                                                    col(WebhookDeliveryRow.sent_at).is_(None))
                                   .values(**sent))

    def postpone_deliveries(self, next_attempts: dict[str, datetime], error: str) -> None:
        """Prefect did not confirm these deliveries' events: count the attempt, keep why, and when each is due again."""
        statement = (update(WebhookDeliveryRow)
                     .where(col(WebhookDeliveryRow.delivery_id) == bindparam("b_delivery_id"))
                     .values(attempts=col(WebhookDeliveryRow.attempts) + 1, last_error=error[:2000],
                             next_attempt_at=bindparam("b_next_attempt_at", type_=UTCDateTime())))
        with self.engine().begin() as connection:
            connection.execute(statement, [{"b_delivery_id": delivery_id, "b_next_attempt_at": at}
                                           for delivery_id, at in next_attempts.items()])

    def outbox_due_now(self) -> int:
        """Make every delivery waiting for a later attempt due now (Prefect answers again); how many were waiting."""
        waiting = (col(WebhookDeliveryRow.sent_at).is_(None), col(WebhookDeliveryRow.event_json).is_not(None),
                   col(WebhookDeliveryRow.next_attempt_at).is_not(None))
        with self.engine().begin() as connection:
            return connection.execute(update(WebhookDeliveryRow).where(*waiting).values(next_attempt_at=None)).rowcount

    def ping(self) -> None:
        """Run a trivial query; raises if the database does not answer."""
        with Session(self.engine()) as session:
            session.exec(select(1)).one()

    def usage_totals(self, flow_run_id: str) -> UsageTotals:
        """The model calls one flow run made, with their tokens and cost."""
        # sqlmodel's select() is typed for up to 4 columns; for more it builds its Select class, typed here by hand
        query = cast("Select[int, int, int, int, float]", Select(
            func.count(col(ModelUsageRow.id)),
            func.coalesce(func.sum(ModelUsageRow.input_tokens), 0),
            func.coalesce(func.sum(ModelUsageRow.output_tokens), 0),
            func.coalesce(func.sum(ModelUsageRow.cached_input_tokens), 0),
            func.coalesce(func.sum(ModelUsageRow.cost_usd), 0.0),
        )).where(ModelUsageRow.flow_run_id == flow_run_id)
        with Session(self.engine()) as session:
            calls, input_tokens, output_tokens, cached, cost = session.exec(query).one()
        return UsageTotals(calls=calls, input_tokens=input_tokens, output_tokens=output_tokens,
                           cached_input_tokens=cached, cost_usd=float(cost))


def normalized_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (the one this project installs)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine_for(url: str) -> Engine:
    """One engine per URL per process; SQLite gets WAL mode and a busy timeout for concurrent writers."""
    with _engines_lock:
        if url not in _engines:
            url_to_use = normalized_url(url)
            if url_to_use.startswith("sqlite:///"):
                Path(url_to_use.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url_to_use, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url_to_use, pool_pre_ping=True)
            _create_tables(engine)
            _engines[url] = engine
        return _engines[url]


TABLE_CREATION_ATTEMPTS = 5


def _create_tables(engine: Engine) -> None:
    """Create missing tables and columns; another process creating them at the same moment is no error."""
    for attempt in range(1, TABLE_CREATION_ATTEMPTS + 1):
        try:
            SQLModel.metadata.create_all(engine)
            _add_missing_columns(engine)
            _replace_indexes(engine)
            return
        except DBAPIError:  # "already exists": another process is creating them; check again
            if attempt == TABLE_CREATION_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)


def _add_missing_columns(engine: Engine) -> None:
    """Add the columns a newer version of a table has to a store made by an older one (they are all nullable
    or have a server default, so existing rows stay valid)."""
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column for column in table.columns if column.name not in present]
        if not missing:
            continue
        with engine.begin() as connection:
            for column in missing:
                kind = column.type.compile(dialect=engine.dialect)
                default = (f" DEFAULT {column.server_default.arg}" if isinstance(column.server_default, DefaultClause)
                           else "")
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}'))


REPLACED_INDEXES: dict[str, tuple[str, ...]] = {"dead_letters": ("uq_dead_letters_open_item_step",),
                                                "webhook_deliveries": ()}
"""Indexes a newer version of a table replaced, by table: dead letters are one open row per pipeline, item and step
(no longer per item and step); webhook deliveries replaced none, they gained the gateway's outbox index."""


def _replace_indexes(engine: Engine) -> None:
    """In a store made by an older version, drop the indexes REPLACED_INDEXES names and create the table's current
    indexes it lacks (after _add_missing_columns, so the columns they cover exist)."""
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in REPLACED_INDEXES:
            continue
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        stale = [name for name in REPLACED_INDEXES[table.name] if name in present]
        missing = [index for index in table.indexes if index.name not in present]
        if not stale and not missing:
            continue
        with engine.begin() as connection:
            for name in stale:
                connection.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
            for index in missing:
                index.create(connection, checkfirst=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Let readers and one writer work at once, and wait for locks instead of failing.

    synchronous=NORMAL, as Prefect's own SQLite database has it: in WAL mode a commit survives the crash or kill
    of any process and waits for no fsync (only a power loss may drop the last commits). With FULL every commit
    waited for one, which held the webhook gateway to about 40 deliveries a second here.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()

