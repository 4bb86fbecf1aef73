"""Service-level objectives per pipeline, measured over a recent window of the store: p95 call latency, the share
of call attempts that failed for good, and the share of documents that became dead letters."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prefect import task
from pydantic import BaseModel

from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.store_metrics import RecentActivity, recent_activity
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.policies import LOCAL_READ

DOCUMENT_STEPS = frozenset({"extract_entities", "summarize", "combine_summaries", "review", "enrich"})
"""Steps of the document pipeline; every other step belongs to the research pipeline."""


class SloReading(BaseModel):
    """One objective of one pipeline, as measured."""

    pipeline: str
    objective: str
    value: float
    threshold: float
    samples: int

    @property
    def breached(self) -> bool:
        return self.samples > 0 and self.value > self.threshold

    def sentence(self) -> str:
        return (f"{self.pipeline}: {self.objective} {self.value:.3g} against an objective of at most "
                f"{self.threshold:.3g} ({self.samples} samples)")


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def readings(activity: RecentActivity, settings: Settings) -> list[SloReading]:
    """Every objective of every pipeline that had calls in the window, and the documents' dead-letter rate."""
    by_pipeline: dict[str, list[tuple[str, float]]] = {}
    for step, outcome, seconds in activity.calls:
        pipeline = "documents" if step in DOCUMENT_STEPS else "research"
        by_pipeline.setdefault(pipeline, []).append((outcome, seconds))
    found = []
    for pipeline, calls in sorted(by_pipeline.items()):
        found.append(SloReading(pipeline=pipeline, objective="p95_call_seconds", value=p95([s for _, s in calls]),
                                threshold=settings.slo_p95_seconds, samples=len(calls)))
        failed = sum(1 for outcome, _ in calls if outcome == "failed")
        found.append(SloReading(pipeline=pipeline, objective="error_rate", value=failed / len(calls),
                                threshold=settings.slo_error_rate, samples=len(calls)))
    if activity.documents:
        found.append(SloReading(pipeline="documents", objective="dead_letter_rate",
                                value=activity.dead_letters / activity.documents,
                                threshold=settings.slo_dead_letter_rate, samples=activity.documents))
    return found


@task(name="measure-slos", **LOCAL_READ)
async def measure_slos(store: PipelineStore, window_minutes: int) -> list[SloReading]:
    """The objectives over the last window_minutes of the store."""
    activity = await asyncio.to_thread(recent_activity, store, utc_now() - timedelta(minutes=window_minutes))
    return readings(activity, Settings())
