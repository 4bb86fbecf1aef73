"""The pipeline store's tables: what users query and what must outlive Prefect's own database.

documents, entities, summaries, reviews, model_usage, model_exchanges, calls, health_checks, webhook_deliveries,
publish_sagas, circuit_breakers, dead_letters, research_runs, budget_charges and cached_results. The tool-calling
agents' tables are in `agentic_kit._blocks.agent_tables`, the shared model budget's in
`agentic_kit._blocks.budget_tables`. `agentic_kit._blocks.store` creates them
all, once per process and database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from agentic_kit._blocks.sql import UTCDateTime, utc_now


class DocumentRow(SQLModel, table=True):
    """One document (its id is the SHA-256 of its content) and where it stands."""

    __tablename__ = "documents"

    id: str = Field(primary_key=True, max_length=64)
    source: str
    status: str = Field(index=True, description="processed, rejected or failed")
    text: str | None = Field(default=None, description="the text extracted from the file, as the model saw it")
    format: str | None = Field(default=None, description="text, markdown, html, pdf or docx")
    encoding: str | None = Field(default=None, description="the text encoding detected (none for pdf and docx)")
    chunks: int | None = Field(default=None, description="how many parts the model read it in")
    model: str | None = None
    entity_count: int = 0
    enrichment_note: str | None = None
    failed_step: str | None = None
    error: str | None = None
    review_decision: str | None = Field(default=None, description="set when a person reviewed it")
    reviewer_note: str | None = None
    extras: str | None = Field(default=None, description="the results of steps a project adds, by step (JSON)")
    flow_run_id: str | None = Field(default=None, index=True)
    first_seen: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class PipelineItemRow(SQLModel, table=True):
    """Where one item of a kit pipeline (`@pipeline`) stands: processed with its result, or failed at a step."""

    __tablename__ = "pipeline_items"

    pipeline: str = Field(primary_key=True, description="the pipeline's (flow's) name, e.g. ticket-triage")
    item_id: str = Field(primary_key=True, max_length=64, description="the SHA-256 of the item's JSON")
    status: str = Field(index=True, description="processed or failed")
    step: str | None = Field(default=None, description="the step that failed")
    error: str | None = None
    result: str | None = Field(default=None, description="the item's result (JSON), when processed")
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
    pipeline: str | None = Field(default=None, description="the flow that made the call, e.g. document-pipeline; "
                                                           "empty in rows written before it was recorded")
    step: str
    model: str
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = Field(default=0, sa_column_kwargs={"server_default": "0"},
                                     description="input tokens served from the provider's prompt cache")
    cost_usd: float
    created_at: datetime = Field(default_factory=utc_now)


class ModelExchangeRow(SQLModel, table=True):
    """One call to a model endpoint as it was made: the messages sent and the answer that came back (what a
    cassette holds); kept unless AGENTIC_KEEP_EXCHANGES is off, never for the offline model."""

    __tablename__ = "model_exchanges"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str | None = Field(default=None, index=True)
    task_run_id: str | None = None
    document_id: str | None = None
    step: str
    model: str = Field(description="the model asked")
    context_window: int
    tokenizer: str
    response_format: str = Field(description="JSON: the output type's name and its schema's SHA-256")
    messages: str = Field(description="JSON: the chat messages sent")
    answer: str = Field(description="the answer as JSON; an invalid one (a repair round followed) as raw text")
    valid: bool = True
    response_model: str = Field(description="the model that answered, as the endpoint named it")
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    created_at: datetime = Field(default_factory=utc_now)


CallOutcome = Literal["ok", "retried", "failed", "cached"]


class CallRow(SQLModel, table=True):
    """One attempt at a model or tool call, however it ended, and how long it took: what latency metrics and
    SLOs are computed from, whichever worker made it; and each model answer taken from cache instead (outcome
    cached), which they leave out."""

    __tablename__ = "calls"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str | None = Field(default=None, index=True)
    task_run_id: str | None = None
    kind: str = Field(description="model or tool")
    step: str = Field(index=True)
    target: str = Field(description="the model asked, or the dependency called")
    outcome: str = Field(description="ok; retried (a transient failure the task tries again); failed; cached (a "
                               "model step's answer taken from Prefect's cache: no attempt, no duration)")
    error_type: str | None = None
    duration_seconds: float
    started_at: datetime = Field(default_factory=utc_now, index=True)


class HealthCheckRow(SQLModel, table=True):
    """One component's answer to one health check."""

    __tablename__ = "health_checks"

    id: int | None = Field(default=None, primary_key=True)
    flow_run_id: str | None = Field(default=None, index=True)
    component: str
    healthy: bool
    detail: str
    checked_at: datetime = Field(default_factory=utc_now, index=True)


WEBHOOK_OUTBOX = text("sent_at IS NULL AND event_json IS NOT NULL")
"""The deliveries whose event still waits for Prefect's confirmation (the gateway's outbox)."""


class WebhookDeliveryRow(SQLModel, table=True):
    """A webhook delivery id seen once (the same delivery sent again starts nothing) and the gateway's outbox: the
    event the delivery emits, written with the id in one transaction and kept until Prefect confirmed it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_outbox", "received_at", sqlite_where=WEBHOOK_OUTBOX,
              postgresql_where=WEBHOOK_OUTBOX),
    )

    delivery_id: str = Field(primary_key=True, max_length=200)
    event_id: str | None = None
    received_at: datetime = Field(default_factory=utc_now)
    event_json: str | None = Field(default=None, description="the event to emit (JSON) until Prefect confirmed it; "
                                                             "empty once sent, and in rows of an older store")
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                     description="when Prefect confirmed the event; empty while it waits")
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"},
                          description="sends Prefect did not confirm")
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                             description="after an unconfirmed send: when the next one is due")
    last_error: str | None = Field(default=None, description="why the last unconfirmed send was not confirmed")


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
    invalidated_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                            description="when a cached step of the document was invalidated: the "
                                                        "next run processes it again instead of skipping it")


BREAKER_CLOSED = "closed"
BREAKER_OPEN = "open"
BREAKER_HALF_OPEN = "half_open"


class BreakerRow(SQLModel, table=True):
    """One dependency's circuit breaker: its state, its failure counters and its half-open probe."""

    __tablename__ = "circuit_breakers"

    name: str = Field(primary_key=True, max_length=200)
    state: str = Field(default=BREAKER_CLOSED, max_length=16, description="closed, open or half_open")
    consecutive_failures: int = Field(default=0, description="transient failures since the last success")
    window_started_at: datetime = Field(sa_type=UTCDateTime, description="start of the current failure-rate window")
    window_calls: int = Field(default=0, description="calls finished in the current window")
    window_failures: int = Field(default=0, description="transient failures in the current window")
    opened_until: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                          description="open: calls fail fast until then")
    probe_in_flight: bool = Field(default=False, description="half-open: one call is trying the dependency")
    probe_id: str | None = Field(default=None, max_length=32, description="which caller holds the probe")
    probe_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


DeadLetterStatus = Literal["open", "replayed", "discarded"]
"""open: waiting for a replay or a person; replayed: a replay processed it; discarded: a person gave up on it."""
DEAD_LETTER_STATUSES: tuple[str, ...] = get_args(DeadLetterStatus)
OPEN: DeadLetterStatus = "open"
REPLAYED: DeadLetterStatus = "replayed"
DISCARDED: DeadLetterStatus = "discarded"
DOCUMENT_TEXT_REF = "documents.text:"
"""inputs_ref prefix: the inputs are the `text` column of the `documents` row keyed by what follows."""
OPEN_ONLY = text("status = 'open'")
"""The rows the one-open-letter-per-pipeline-item-and-step index covers (and an upsert's conflict target names)."""
DOCUMENT_PIPELINE = "document-pipeline"
"""The pipeline of a document's dead letters, and of every dead letter a store kept before letters named theirs."""


class DeadLetterRow(SQLModel, table=True):
    """One item a pipeline gave up on at a step; recording it again while open counts another attempt."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        Index("uq_dead_letters_open_pipeline_item_step", "pipeline", "document_id", "step", unique=True,
              sqlite_where=OPEN_ONLY, postgresql_where=OPEN_ONLY),
        CheckConstraint("status IN ('open', 'replayed', 'discarded')", name="ck_dead_letters_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pipeline: str = Field(default=DOCUMENT_PIPELINE, index=True, max_length=200,
                          sa_column_kwargs={"server_default": text(f"'{DOCUMENT_PIPELINE}'")},
                          description="the flow that recorded it; document-pipeline in rows of an older store")
    document_id: str = Field(index=True, max_length=64,
                             description="the item id: the document's content hash (of the source name without one)")
    source: str
    replay_entrypoint: str | None = Field(
        default=None, description="module:attribute of the Prefect flow that replays this pipeline's dead letters; "
                                  "empty in rows of an older store (the document pipeline's)"
    )
    item_payload: str | None = Field(default=None, description="the item itself as JSON, for its replay")
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


class ResearchRunRow(SQLModel, table=True):
    """One research job (its key hashes the question and the parameters that shape the work) and its report."""

    __tablename__ = "research_runs"

    run_key: str = Field(primary_key=True, max_length=64)
    question: str = ""
    status: str = Field(default="running", index=True,
                        description="running, complete, below_bar, budget_stopped or failed")
    score: float | None = None
    rounds: int = 0
    report: str | None = Field(default=None, description="the report as markdown")
    tokens_spent: int = 0
    cost_usd: float = 0.0
    max_tokens: int | None = None
    max_cost_usd: float | None = None
    budget_stop: str | None = Field(default=None, description="why the budget stopped the job, if it did")
    stopped_at: str | None = Field(default=None, description="the budget the stop holds for (a higher one lifts it)")
    flow_run_id: str | None = Field(default=None, index=True)
    first_seen: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class BudgetChargeRow(SQLModel, table=True):
    """One model call charged to a research job: reserved before the call, settled at its real usage after.

    The call key hashes the request, so a call tried again (a retry, or a resume after a crash) replaces
    its own charge instead of adding one; calls answered from cache are never charged.
    """

    __tablename__ = "research_budget_charges"

    run_key: str = Field(primary_key=True, max_length=64)
    call_key: str = Field(primary_key=True, max_length=64)
    step: str
    state: str = Field(description="reserved (an estimate, call under way) or settled (what it used)")
    tokens: int
    cost_usd: float
    updated_at: datetime = Field(default_factory=utc_now)


class CachedResultRow(SQLModel, table=True):
    """One step result Prefect persisted as a cache entry (a result record whose storage key is the cache key):
    what `agentic cache ls` lists and `agentic cache invalidate` expires. Written when the record is committed."""

    __tablename__ = "cached_results"

    storage_block_id: str = Field(primary_key=True, max_length=36,
                                  description="the result storage block's id; empty for a local folder")
    storage_key: str = Field(primary_key=True, description="the record's key in that storage (a local file's path)")
    cache_key: str = Field(index=True)
    step: str = Field(index=True, description="the task's name, e.g. summarize")
    model: str | None = Field(default=None, description="the model that answered (none for a tool step)")
    instructions_version: str | None = Field(default=None, description="the step's instructions version, if any")
    document_id: str | None = Field(default=None, index=True, description="the document (or research job) worked on")
    flow_run_id: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)
    size_bytes: int = Field(description="the stored record's size")
