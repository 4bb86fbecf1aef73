"""What the store keeps of rollouts: variants, each step's live variant, canaries, and each item's variant and figures.

Every write that decides something is one conditional statement, so two workers never both assign an item or both
end a canary: an item's variant is inserted once and read back, and a canary ends only while it still runs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from agentic_kit._blocks.rollout_tables import LiveVariantRow, RolloutRow, StepVariantRow, VariantItemRow
from agentic_kit._blocks.sql import dialect_insert, upsert, utc_now
from agentic_kit._blocks.store import PipelineStore

DECLARED = "declared"
"""The variant a step runs as its code declares it: its instructions, the pipeline's model."""
CANARY, ROLLED_BACK, PROMOTED, STOPPED = "canary", "rolled_back", "promoted", "stopped"
"""How a rollout stands: a canary runs; it ended rolled back, promoted, or stopped by hand."""


@dataclass(frozen=True)
class VariantFigures:
    """What one variant's finished items showed during a canary."""

    variant: str
    items: int
    errors: int
    """Items with at least one failed attempt, or that failed for good."""
    repairs: int
    scored: int
    low_scores: int
    mean_score: float | None
    cost_usd: float
    input_tokens: int
    output_tokens: int
    mean_latency_ms: float | None


def save_variant(store: PipelineStore, row: StepVariantRow) -> None:
    """Keep a variant; saving one of the same step and name replaces it."""
    with Session(store.engine(), expire_on_commit=False) as session:
        upsert(session, row, keep=("created_at",))
        session.commit()


def step_variant(store: PipelineStore, step: str, name: str) -> StepVariantRow | None:
    """The step's variant of that name, if kept."""
    with Session(store.engine()) as session:
        return session.get(StepVariantRow, (step, name))


def step_variants(store: PipelineStore, step: str | None = None) -> list[StepVariantRow]:
    """The variants kept (of one step, if named), by step and name."""
    query = select(StepVariantRow).order_by(col(StepVariantRow.step), col(StepVariantRow.name))
    if step is not None:
        query = query.where(StepVariantRow.step == step)
    with Session(store.engine()) as session:
        return list(session.exec(query).all())


def note_output_schema(store: PipelineStore, step: str, name: str, schema: str) -> None:
    """Record the output schema a variant first ran with (a later, different one makes it stale)."""
    with Session(store.engine()) as session:
        session.execute(update(StepVariantRow).where(
            col(StepVariantRow.step) == step, col(StepVariantRow.name) == name,
            col(StepVariantRow.output_schema).is_(None)).values(output_schema=schema))
        session.commit()


def live_variant(store: PipelineStore, step: str) -> str:
    """The step's live variant: the one promoted last, else `declared`."""
    with Session(store.engine()) as session:
        row = session.get(LiveVariantRow, step)
        return row.variant if row else DECLARED


def set_live_variant(store: PipelineStore, step: str, variant: str) -> None:
    """Make a variant the step's live one."""
    with Session(store.engine()) as session:
        upsert(session, LiveVariantRow(step=step, variant=variant), keep=())
        session.commit()


def running_canary(store: PipelineStore, step: str) -> RolloutRow | None:
    """The step's canary while it runs."""
    query = select(RolloutRow).where(RolloutRow.step == step, RolloutRow.state == CANARY)
    with Session(store.engine()) as session:
        return session.exec(query).first()


def running_canary_by_id(store: PipelineStore, rollout_id: str) -> RolloutRow | None:
    """That canary, while it runs."""
    with Session(store.engine()) as session:
        row = session.get(RolloutRow, rollout_id)
        return row if row is not None and row.state == CANARY else None


def rollouts(store: PipelineStore, step: str | None = None, limit: int = 20) -> list[RolloutRow]:
    """The rollouts (of one step, if named), the latest first."""
    query = select(RolloutRow).order_by(col(RolloutRow.started_at).desc()).limit(limit)
    if step is not None:
        query = query.where(RolloutRow.step == step)
    with Session(store.engine()) as session:
        return list(session.exec(query).all())


def start_canary(store: PipelineStore, step: str, candidate: str, share: float) -> RolloutRow:
    """Start routing `share` of the step's items to the candidate; the live variant serves the rest.

    A step has one canary at a time: ValueError names the one that runs."""
    if (running := running_canary(store, step)) is not None:
        raise ValueError(f"{step} already runs a canary of {running.candidate!r} at {running.share:.0%}: promote it, "
                         "roll it back or stop it first")
    row = RolloutRow(id=uuid.uuid4().hex, step=step, live=live_variant(store, step), candidate=candidate,
                     share=share, state=CANARY)
    with Session(store.engine(), expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    return row


def end_canary(store: PipelineStore, rollout_id: str, state: str, reason: str | None = None,
               after_items: int | None = None) -> bool:
    """End a canary (its share set to 0) if it still runs; True for the one caller that ended it."""
    with Session(store.engine()) as session:
        ended = session.execute(update(RolloutRow).where(
            col(RolloutRow.id) == rollout_id, col(RolloutRow.state) == CANARY).values(
            state=state, share=0.0, reason=reason, after_items=after_items, ended_at=utc_now()))
        session.commit()
        return bool(getattr(ended, "rowcount", 0))


def assign_variant(store: PipelineStore, rollout_id: str, item_id: str, variant: str) -> str:
    """The item's variant in this canary: the one it was given first (`variant` if this is its first call)."""
    table = VariantItemRow.__table__  # type: ignore[attr-defined]
    with Session(store.engine()) as session:
        session.execute(dialect_insert(session, table).values(
            rollout_id=rollout_id, item_id=item_id, variant=variant, assigned_at=utc_now(),
        ).on_conflict_do_nothing(index_elements=["rollout_id", "item_id"]))
        session.commit()
        row = session.get(VariantItemRow, (rollout_id, item_id))
        return row.variant if row else variant


def add_to_item(store: PipelineStore, rollout_id: str, item_id: str, *, calls: int = 0, errors: int = 0,
                repairs: int = 0, input_tokens: int = 0, output_tokens: int = 0, cost_usd: float = 0.0,
                latency_ms: float = 0.0, failed: bool = False, finished: bool = False) -> None:
    """Add one call's figures to the item's row (the row exists once the item was assigned)."""
    row = VariantItemRow
    values = {"calls": row.calls + calls, "errors": row.errors + errors, "repairs": row.repairs + repairs,
              "input_tokens": row.input_tokens + input_tokens, "output_tokens": row.output_tokens + output_tokens,
              "cost_usd": row.cost_usd + cost_usd, "latency_ms": row.latency_ms + latency_ms}
    if failed:
        values["failed"] = True
    if finished:
        values["finished"] = True
    with Session(store.engine()) as session:
        session.execute(update(row).where(col(row.rollout_id) == rollout_id, col(row.item_id) == item_id)
                        .values(**values))
        session.commit()


def score_item(store: PipelineStore, rollout_id: str, item_id: str, score: float, low: bool) -> None:
    """Give the judge's score to the item's row in that canary."""
    with Session(store.engine()) as session:
        session.execute(update(VariantItemRow).where(
            col(VariantItemRow.rollout_id) == rollout_id, col(VariantItemRow.item_id) == item_id)
            .values(score=score, low_score=low))
        session.commit()


def variant_figures(store: PipelineStore, rollout_id: str) -> dict[str, VariantFigures]:
    """Each variant's figures over the canary's finished items."""
    item = VariantItemRow.__table__.c  # type: ignore[attr-defined]
    had_error = case((item.errors > 0, 1), (item.failed, 1), else_=0)
    query = (sql_select(item.variant, func.count(), func.sum(had_error), func.sum(item.repairs), func.count(item.score),
                        func.sum(case((item.low_score, 1), else_=0)), func.avg(item.score), func.sum(item.cost_usd),
                        func.sum(item.input_tokens), func.sum(item.output_tokens),
                        func.avg(case((item.calls > 0, item.latency_ms), else_=None)))
             .where(item.rollout_id == rollout_id, item.finished).group_by(item.variant))
    with Session(store.engine()) as session:
        return {str(values[0]): _figures(*values) for values in session.execute(query)}


def _figures(variant: Any, items: Any, errors: Any, repairs: Any, scored: Any, low: Any, mean_score: Any, cost: Any,
             tokens_in: Any, tokens_out: Any, latency: Any) -> VariantFigures:
    """One row of the figures query (sums are NULL over no rows)."""
    return VariantFigures(str(variant), int(items), int(errors or 0), int(repairs or 0), int(scored),
                          int(low or 0), None if mean_score is None else float(mean_score), float(cost or 0),
                          int(tokens_in or 0), int(tokens_out or 0), None if latency is None else float(latency))
