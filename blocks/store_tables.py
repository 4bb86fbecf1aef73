"""The pipeline store's tables: what users query and what must outlive Prefect's own database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class DocumentRow(SQLModel, table=True):
    """One document (its id is the SHA-256 of its content) and where it stands."""

    __tablename__ = "documents"

    id: str = Field(primary_key=True, max_length=64)
    source: str
    status: str = Field(index=True, description="processed, rejected or failed")
    text: str | None = None
    model: str | None = None
    entity_count: int = 0
    enrichment_note: str | None = None
    failed_step: str | None = None
    error: str | None = None
    review_decision: str | None = Field(default=None, description="set when a person reviewed it")
    reviewer_note: str | None = None
    flow_run_id: str | None = Field(default=None, index=True)
    first_seen: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class EntityRow(SQLModel, table=True):
    """One entity of a document, with what enrichment found about it."""

    __tablename__ = "entities"

    document_id: str = Field(primary_key=True, foreign_key="documents.id", max_length=64)
    position: int = Field(primary_key=True)
    name: str
    type: str
    found: bool | None = Field(default=None, description="None when enrichment was skipped")
    canonical_name: str | None = None
    description: str | None = None
    url: str | None = None


class SummaryRow(SQLModel, table=True):
    """A document's summary and the model that wrote it."""

    __tablename__ = "summaries"

    document_id: str = Field(primary_key=True, foreign_key="documents.id", max_length=64)
    summary: str
    model: str


class ReviewRow(SQLModel, table=True):
    """The review of a document's summary."""

    __tablename__ = "reviews"

    document_id: str = Field(primary_key=True, foreign_key="documents.id", max_length=64)
    score: float
    critique: str
    model: str


class ModelUsageRow(SQLModel, table=True):
    """One model call that was actually made (cached answers add no row): tokens and cost."""

    __tablename__ = "model_usage"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str | None = Field(default=None, index=True)
    task_run_id: str | None = None
    document_id: str | None = Field(default=None, index=True)
    step: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    created_at: datetime = Field(default_factory=utc_now)


class HealthCheckRow(SQLModel, table=True):
    """One component's answer to one health check."""

    __tablename__ = "health_checks"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str | None = Field(default=None, index=True)
    component: str
    healthy: bool
    detail: str
    checked_at: datetime = Field(default_factory=utc_now, index=True)


class WebhookDeliveryRow(SQLModel, table=True):
    """A webhook delivery id seen once: the same delivery sent again starts nothing."""

    __tablename__ = "webhook_deliveries"

    delivery_id: str = Field(primary_key=True, max_length=200)
    event_id: str | None = None
    received_at: datetime = Field(default_factory=utc_now)


class PublishSagaRow(SQLModel, table=True):
    """The compensation log of one document's publish (store, export, notify): what was started, what undone.

    A publish that a crash interrupted is found here by the next run, which completes or compensates it.
    """

    __tablename__ = "publish_sagas"

    document_id: str = Field(primary_key=True, max_length=64)
    saga_id: str = Field(description="the idempotency key's root: the same while one publish is retried")
    content_hash: str = Field(description="hash of what was published: the same outcome is not published twice")
    pipeline_key: str = Field(default="", index=True,
                              description="hash of the models, API, settings and code that made the outcome")
    status: str = Field(index=True, description="publishing, published or compensated")
    steps: str = Field(default="{}", description="JSON: each step's state, started, done or compensated")
    payload: str = Field(description="JSON of the outcome being published, so a later run can finish it")
    text: str | None = None
    flow_run_id: str | None = None
    error: str | None = None
    started_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
