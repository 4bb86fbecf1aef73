"""The health check: model endpoint, enrichment API, store and Prefect API, recorded and announced."""

from __future__ import annotations

import asyncio
from typing import Any

from prefect import flow, runtime
from prefect.events import emit_event
from prefect.states import Completed, Failed, State

from agentic_kit import PipelineBlocks
from agentic_kit.events import HEALTH_DEGRADED, HEALTH_OK, HEALTH_RESOURCE
from agentic_kit.models import HealthReport
from agentic_kit.operate import check_enrichment, check_model, check_prefect_api, check_store
from agentic_kit.store import HealthCheckRow


async def _result(component: str, state: State[Any]) -> HealthCheckRow:
    """A check's outcome as a row: its answer when it completed, its error when it did not."""
    if state.is_completed():
        return HealthCheckRow(component=component, healthy=True, detail=str(await state.aresult()))
    return HealthCheckRow(component=component, healthy=False, detail=state.message or state.name or "failed")


@flow(name="health-check", description="Check the model, the enrichment API, the store and the Prefect API.")
async def health_check(
    language_model: str | None = None, enrichment_api: str | None = None, store: str | None = None
) -> State[HealthReport]:
    """Run every check at once, store the answers, emit agentic.health.ok or .degraded; fail when degraded."""
    blocks = await PipelineBlocks.resolve(language_model, enrichment_api, store)
    states = await asyncio.gather(
        check_model(blocks.model, return_state=True),
        check_enrichment(blocks.enrichment, return_state=True),
        check_store(blocks.store, return_state=True),
        check_prefect_api(return_state=True),
    )
    rows = [await _result(c, s) for c, s in zip(("model", "enrichment", "store", "prefect-api"), states, strict=True)]
    for row in rows:
        row.flow_run_id = runtime.flow_run.id
    report = HealthReport(checks={r.component: r.detail for r in rows},
                          unhealthy=[r.component for r in rows if not r.healthy])
    if "store" not in report.unhealthy:
        await asyncio.to_thread(blocks.store.record_health, rows)
    emit_event(
        event=HEALTH_DEGRADED if report.unhealthy else HEALTH_OK,
        resource={"prefect.resource.id": HEALTH_RESOURCE, "prefect.resource.name": "agentic pipelines"},
        payload=report.model_dump(),
    )
    if report.unhealthy:
        return Failed(message=f"unhealthy: {', '.join(report.unhealthy)}", data=report)
    return Completed(message="all components healthy", data=report)
