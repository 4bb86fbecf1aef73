"""The research pipeline against real local servers: partial failure, per-agent limits, the offline model."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ResearchRunRow
from agentic_kit.testing import EnrichmentServer, Fault, ModelServer
from agentic_kit.testing.page_server import Page, PageServer
from flows.research_pipeline import research_pipeline
from tasks.research.report import ResearchReport
from tests.support.research import QUESTION, research_limits, research_responder, sub_questions

__all__ = ["research_limits"]

pytestmark = pytest.mark.usefixtures("research_limits")

FAN_OUT = 5
"""Sub-questions, pages and tool calls in the limits test: more than any of their caps (3, 4, 4)."""


async def _run(**parameters: object) -> tuple[str, str, ResearchReport]:
    state = await research_pipeline(QUESTION, **parameters, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, ResearchReport), state.message
    return state.name, state.message or "", report


async def test_two_failed_agents_of_eight_are_tolerated_and_named_and_a_bar_of_100_percent_fails(
    served_environment: tuple[ModelServer, EnrichmentServer],
) -> None:
    model_server, _ = served_environment
    model_server.responder = research_responder({"sub_questions": sub_questions(8)})
    model_server.faults.push(Fault.BAD_REQUEST, times=2, match="ResearchNotes")

    state, _, report = await _run(min_success_fraction=0.75)

    assert state == "Completed" and report.status == "complete", report.headline()
    assert len(report.findings.notes) == 6 and report.success_fraction == 0.75
    missing = [m for m in report.missing if m.kind == "researcher"]
    assert len(missing) == 2 and all("RequestRejected" in m.reason and "400" in m.reason for m in missing)
    markdown = report.markdown()
    assert "## Missing" in markdown and all(m.label in markdown for m in missing)
    print(f"sub-questions=8 faults injected=2 delivered={len(report.findings.notes)} missing={len(missing)}")
    synthesis_calls = model_server.log.count(key="ResearchSynthesis")

    model_server.faults.push(Fault.BAD_REQUEST, times=2, match="ResearchNotes")
    state, message, report = await _run(min_success_fraction=1.0)

    assert state == "Failed" and report.status == "failed"
    assert "6 of 8 parts delivered (75%), below the least fraction of 100%" in message
    assert message.count("RequestRejected") == 2
    assert model_server.log.count(key="ResearchSynthesis") == synthesis_calls, "no synthesis below the bar"
    assert report.cached_calls == 7, "the plan and the six delivered notes came from cache"
    with Session(PipelineStore.from_environment().engine()) as session:
        row = session.exec(select(ResearchRunRow)).one()
    assert row.status == "failed" and row.report and "below the least fraction" in row.report


async def test_each_agent_type_keeps_to_its_own_concurrency_cap(
    served_environment: tuple[ModelServer, EnrichmentServer], monkeypatch: pytest.MonkeyPatch,
) -> None:
    model_server, enrichment_server = served_environment
    page = "<html><body><article><p>Heat pump fact {}: they move heat instead of burning fuel.</p></article></body></html>"
    with PageServer({f"/page-{i}": Page(page.format(i).encode()) for i in range(FAN_OUT)}) as pages:
        monkeypatch.setenv("AGENTIC_FETCH_ALLOWED_HOSTS", "127.0.0.1")
        names = ["Northwind Traders", "Brightwater Systems", "Bristol", "Hamburg", "Amara Okafor"]
        model_server.responder = research_responder({
            "sub_questions": sub_questions(FAN_OUT),
            "tool_calls": [{"tool": "enrich_entity", "argument": name} for name in names],
        })
        for server in (model_server.faults, enrichment_server.faults, pages):
            server.latency = 0.5  # long enough for the agents of a type to overlap on a busy machine

        state, _, report = await _run(urls=[pages.url(f"/page-{i}") for i in range(FAN_OUT)])

        peaks = {
            "planner": model_server.log.peak_concurrency("ResearchPlan"),
            "researcher": model_server.log.peak_concurrency("ResearchNotes"),
            "scraper": pages.log.peak_concurrency(),
            "tool": enrichment_server.log.peak_concurrency(),
            "synthesizer": model_server.log.peak_concurrency("ResearchSynthesis"),
            "reviewer": model_server.log.peak_concurrency("ResearchReview"),
        }
    print(f"peak concurrency per agent type: {peaks}")
    assert state == "Completed", report.headline()
    assert (len(report.findings.notes), len(report.findings.pages), len(report.findings.tools)) == (FAN_OUT,) * 3
    assert 1 < peaks["researcher"] <= 3 and 1 < peaks["scraper"] <= 4 and 1 < peaks["tool"] <= 4
    assert peaks["planner"] == peaks["synthesizer"] == peaks["reviewer"] == 1
