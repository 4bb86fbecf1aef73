"""The offline model's research answers: deterministic, extractive, and labelled as what they are."""

from __future__ import annotations

from agentic_kit._blocks.offline_model import OfflineModel
from agentic_kit._domain.models.common import ModelRequest
from agentic_kit._domain.models.research import FetchedPage, Findings, ResearchPlan, SubQuestion
from tasks.research.agents import findings_material, sub_questions_text
from tasks.research.offline_answers import plan, review, synthesize

QUESTION = "How did Northwind Traders Ltd pay for Brightwater Systems?"
SOURCE = ("Northwind Traders Ltd agreed to buy Brightwater Systems for $62 million in cash and shares. "
          "The weather in Bristol was mild. Brightwater Systems makes cold-chain sensors.")


def _material(report: str | None = None) -> dict[str, str]:
    questions = [SubQuestion(id="q1", text=QUESTION), SubQuestion(id="q2", text="What about Brightwater Systems?")]
    page = FetchedPage(url="http://pages.test/1", requested_url="http://pages.test/1", content_type="text/plain",
                       text=SOURCE)
    material = {"question": QUESTION, "sub_questions": sub_questions_text(questions),
                **findings_material(Findings(pages=[page]))}
    return material if report is None else {**material, "report": report}


def test_the_plan_comes_from_the_questions_names_and_terms() -> None:
    offered = plan({"question": QUESTION, "tools": "enrich_entity: what the enrichment API knows"})
    assert offered.sub_questions[0] == QUESTION
    assert "What do the sources say about Northwind Traders Ltd?" in offered.sub_questions
    assert [c.argument for c in offered.tool_calls] == ["Northwind Traders Ltd", "Brightwater Systems"]
    assert plan({"question": QUESTION, "tools": "(none)"}).tool_calls == []


def test_the_synthesis_quotes_and_cites_the_sources_and_the_review_scores_coverage() -> None:
    report = synthesize(_material()).report
    assert "Written by the offline model" in report
    assert "Northwind Traders Ltd agreed to buy Brightwater Systems for $62 million in cash and shares. [1]" in report
    assert "weather" not in report
    assert review(_material(report)).score == 1.0
    poor = review(_material("Nothing here."))
    assert poor.score < 0.5 and poor.follow_up_questions and "missing" in poor.critique


async def test_research_replies_are_deterministic_and_free() -> None:
    request = ModelRequest(step="plan", instructions="Plan.", material={"question": QUESTION, "tools": "(none)"})
    first, second = [await OfflineModel().generate(request, ResearchPlan) for _ in range(2)]
    assert first == second and first.model == "offline" and first.usage.cost_usd == 0
