"""The tables of prompt and model rollouts: step_variants, live_variants, rollouts and variant_items.

A step's variant is its instructions, its model block and its settings, under a name; each step has one live variant
(`declared`, the step as its code declares it, until a candidate is promoted) and at most one canary at a time. An
item routed during a canary keeps its variant in variant_items, with what it showed (errors, repairs, the judge's
score, tokens, cost, latency), so a retried or resumed item keeps its variant and the rollback rule counts from here.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from agentic_kit._blocks.sql import UTCDateTime, utc_now


class StepVariantRow(SQLModel, table=True):
    """One named variant of a step: the instructions, model block and settings it runs with."""

    __tablename__ = "step_variants"

    step: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    instructions: str | None = Field(default=None, description="the instructions' text; empty: the step's own")
    model_block: str | None = Field(default=None, description="a saved Language Model block; empty: the pipeline's")
    settings: str = Field(default="{}", description="Language Model fields this variant overrides (JSON)")
    output_schema: str | None = Field(
        default=None, description="the version of the step's output schema the variant first ran with")
    description: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class LiveVariantRow(SQLModel, table=True):
    """The variant a step runs for every item outside a canary (absent: `declared`)."""

    __tablename__ = "live_variants"

    step: str = Field(primary_key=True)
    variant: str
    since: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RolloutRow(SQLModel, table=True):
    """One canary of a step: the live and candidate variants, the candidate's share, and how it ended."""

    __tablename__ = "rollouts"

    id: str = Field(primary_key=True, max_length=32)
    step: str = Field(index=True)
    live: str
    candidate: str
    share: float = Field(description="the share of items routed to the candidate (0 after a rollback)")
    state: str = Field(index=True, description="canary, rolled_back, promoted or stopped")
    reason: str | None = Field(default=None, description="why it ended, in plain words")
    after_items: int | None = Field(default=None, description="finished items when it was rolled back")
    started_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class VariantItemRow(SQLModel, table=True):
    """One item's variant during a canary, kept from its first call on, and what that variant showed on it."""

    __tablename__ = "variant_items"

    rollout_id: str = Field(primary_key=True, max_length=32)
    item_id: str = Field(primary_key=True)
    variant: str
    calls: int = Field(default=0, description="calls made (answers from the cache not counted)")
    errors: int = Field(default=0, description="attempts that failed (retried or not)")
    repairs: int = Field(default=0, description="repair rounds after an invalid answer")
    failed: bool = Field(default=False, description="the step failed for good on this item")
    finished: bool = Field(default=False, description="the step finished on this item (succeeded or failed)")
    score: float | None = Field(default=None, description="the judge's score of this item's result")
    low_score: bool | None = Field(default=None, description="the score was under the passing mark")
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = Field(default=0.0, description="the step's time on this item, retries included")
    assigned_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
