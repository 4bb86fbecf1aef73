"""The health check against real dependencies: healthy when they answer, degraded (and why) when one does not."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import HealthCheckRow
from agentic_kit._domain.events import HEALTH_DEGRADED
from agentic_kit._domain.models.common import HealthReport
from agentic_kit.testing import EnrichmentServer, ModelServer
from flows.health_check import health_check
from tests.conftest import free_port, wait_for_events


async def test_healthy_dependencies_are_recorded(
    served_environment: tuple[ModelServer, EnrichmentServer],
) -> None:
    state = await health_check(return_state=True)
    report = await state.aresult()
    assert state.is_completed() and report.unhealthy == []
    assert set(report.checks) == {"model", "enrichment", "store", "prefect-api"}
    with Session(PipelineStore.from_environment().engine()) as session:
        assert len(session.exec(select(HealthCheckRow)).all()) == 4


async def test_an_unreachable_enrichment_api_degrades_health_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_ENRICHMENT_URL", f"http://127.0.0.1:{free_port()}")
    state = await health_check(return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert state.is_failed() and isinstance(report, HealthReport)
    assert report.unhealthy == ["enrichment"] and "Connect" in report.checks["enrichment"]
    events = await wait_for_events(HEALTH_DEGRADED)
    assert any(e.payload.get("unhealthy") == ["enrichment"] for e in events)
