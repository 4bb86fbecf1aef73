"""The SLO check: measure each pipeline's objectives over a recent window and announce every breach.

A breach emits `agentic.slo.breached` (resource agentic.slo.<pipeline>.<objective>, the reading as payload); the
`agentic: SLO breached` automation notifies. The `slo-check/every-5-minutes` deployment runs it.
"""

from __future__ import annotations

from prefect import flow
from prefect.events import emit_event
from prefect.states import Completed, State

from agentic_kit import Settings, load_or_environment
from agentic_kit.events import SLO_BREACHED, SLO_RESOURCE_PREFIX
from agentic_kit.operate import SloReading, measure_slos
from agentic_kit.store import PipelineStore


@flow(name="slo-check", description="Measure latency, error and dead-letter objectives; announce breaches.")
async def slo_check(store: str | None = None, window_minutes: int | None = None) -> State[list[SloReading]]:
    """Measure the objectives (thresholds: AGENTIC_SLO_*) over the last window_minutes (AGENTIC_SLO_WINDOW_MINUTES)
    and emit one agentic.slo.breached event per objective missed."""
    window = window_minutes or Settings().slo_window_minutes
    found = await measure_slos(await load_or_environment(PipelineStore, store), window)
    breached = [reading for reading in found if reading.breached]
    for reading in breached:
        emit_event(event=SLO_BREACHED,
                   resource={"prefect.resource.id": f"{SLO_RESOURCE_PREFIX}{reading.pipeline}.{reading.objective}",
                             "prefect.resource.name": f"{reading.pipeline} {reading.objective}"},
                   payload={**reading.model_dump(), "window_minutes": window, "summary": reading.sentence()})
    message = "; ".join(r.sentence() for r in breached) or f"all {len(found)} objectives met"
    return Completed(message=f"SLO breached: {message}" if breached else message, data=found)
