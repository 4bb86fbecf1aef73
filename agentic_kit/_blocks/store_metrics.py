"""What the metrics exporter reads from the pipeline store: durable figures, whichever worker wrote them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import (
    BreakerRow,
    CallRow,
    DeadLetterRow,
    DocumentRow,
    ModelUsageRow,
    PipelineItemRow,
    ResearchRunRow,
)

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
"""The upper bounds (seconds) of the step-duration histogram."""
BREAKER_STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}


@dataclass(frozen=True)
class DurationHistogram:
    """Cumulative counts at each bucket's upper bound (the last one +Inf), the sum and the count."""

    buckets: list[tuple[str, int]]
    total_seconds: float


@dataclass(frozen=True)
class StoreFigures:
    calls: list[tuple[str, str, str, str, int]]
    """(kind, target, step, outcome, count)"""
    usage: list[tuple[str, str, int, int, int, float]]
    """(model, step, input, output, cached input, cost)"""
    durations: dict[tuple[str, str], DurationHistogram]
    """by (step, target)"""
    dead_letters_open: list[tuple[str, str, int]]
    breakers: dict[str, int]
    documents: list[tuple[str, str, int]]
    """(pipeline, status, count)"""


def _histogram(durations: list[float]) -> DurationHistogram:
    buckets = [(str(bound), sum(1 for d in durations if d <= bound)) for bound in DURATION_BUCKETS]
    return DurationHistogram(buckets + [("+Inf", len(durations))], sum(durations))


def store_figures(store: PipelineStore) -> StoreFigures:
    """Every figure the exporter serves from the store, read in one session."""
    with Session(store.engine()) as session:
        # sqlmodel's select() is typed for up to 4 columns; for more it builds its Select class, typed here by hand
        call_counts = cast("Select[str, str, str, str, int]", Select(
            col(CallRow.kind), col(CallRow.target), col(CallRow.step), col(CallRow.outcome), func.count()))
        calls = session.exec(call_counts.group_by(CallRow.kind, CallRow.target, CallRow.step, CallRow.outcome)).all()
        usage_sums = cast("Select[str, str, int | None, int | None, int | None, float | None]", Select(
            col(ModelUsageRow.model), col(ModelUsageRow.step), func.sum(ModelUsageRow.input_tokens),
            func.sum(ModelUsageRow.output_tokens), func.sum(ModelUsageRow.cached_input_tokens),
            func.sum(ModelUsageRow.cost_usd)))
        usage = session.exec(usage_sums.group_by(ModelUsageRow.model, ModelUsageRow.step)).all()
        by_step: dict[tuple[str, str], list[float]] = {}
        attempts = select(CallRow.step, CallRow.target, CallRow.duration_seconds).where(CallRow.outcome != "cached")
        for step, target, seconds in session.exec(attempts):
            by_step.setdefault((step, target), []).append(seconds)
        letters = session.exec(select(DeadLetterRow.step, DeadLetterRow.error_type, func.count())
                               .where(DeadLetterRow.status == "open")
                               .group_by(DeadLetterRow.step, DeadLetterRow.error_type)).all()
        breakers = {row.name: BREAKER_STATE_VALUES.get(row.state, 2) for row in session.exec(select(BreakerRow))}
        documents = [("documents", status, count) for status, count in session.exec(
            select(DocumentRow.status, func.count()).group_by(DocumentRow.status))]
        documents += [("research", status, count) for status, count in session.exec(
            select(ResearchRunRow.status, func.count()).group_by(ResearchRunRow.status))]
        documents += [(pipeline, status, count) for pipeline, status, count in session.exec(
            select(PipelineItemRow.pipeline, PipelineItemRow.status, func.count())
            .group_by(PipelineItemRow.pipeline, PipelineItemRow.status))]
    return StoreFigures(
        calls=[(kind, target, step, outcome, count) for kind, target, step, outcome, count in calls],
        usage=[(m, s, int(i or 0), int(o or 0), int(c or 0), float(cost or 0)) for m, s, i, o, c, cost in usage],
        durations={key: _histogram(values) for key, values in by_step.items()},
        dead_letters_open=[(step, error_type, count) for step, error_type, count in letters],
        breakers=breakers, documents=documents,
    )


@dataclass(frozen=True)
class RecentActivity:
    """What the SLO check reads: call attempts (step, outcome, seconds), documents and dead letters since a time."""

    calls: list[tuple[str, str, float]]
    documents: int
    dead_letters: int


def recent_activity(store: PipelineStore, since: datetime) -> RecentActivity:
    with Session(store.engine()) as session:
        calls = session.exec(select(CallRow.step, CallRow.outcome, CallRow.duration_seconds)
                             .where(CallRow.started_at >= since, CallRow.outcome != "cached")).all()
        documents = session.exec(select(func.count()).select_from(DocumentRow)
                                 .where(DocumentRow.updated_at >= since)).one()
        letters = session.exec(select(func.count()).select_from(DeadLetterRow)
                               .where(DeadLetterRow.last_seen >= since)).one()
    return RecentActivity([(step, outcome, seconds) for step, outcome, seconds in calls], documents, letters)
