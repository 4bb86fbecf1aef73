"""Plan validation: the planner's answer is data; only offered tools, http(s) URLs and a bounded plan pass."""

from __future__ import annotations

from agentic_kit._domain.models.research import PlannedToolCall, ResearchPlan, ResearchReview, SubQuestion
from tasks.research.plan import MAX_URLS, follow_up_questions, validate_plan

TOOLS = {"enrich_entity": "What the enrichment API knows."}


def test_unknown_tools_bad_urls_duplicates_and_extras_are_refused_with_the_reason() -> None:
    plan = ResearchPlan(
        sub_questions=["What does it cost?", "  what does  it cost? ", "", "Who installs it?", "Is it loud?"],
        urls=["https://example.com/a", "file:///etc/passwd", "javascript:alert(1)", "https://example.com/a"],
        tool_calls=[
            PlannedToolCall(tool="enrich_entity", argument="Northwind Traders"),
            PlannedToolCall(tool="shell", argument="rm -rf /"),
            PlannedToolCall(tool="enrich_entity", argument=" "),
            PlannedToolCall(tool="enrich_entity", argument="Northwind  Traders"),
        ],
    )
    valid = validate_plan(plan, "How good are heat pumps?", ["https://user.example/given"], TOOLS, max_sub_questions=2)

    assert [(q.id, q.text) for q in valid.sub_questions] == [("q1", "What does it cost?"), ("q2", "Who installs it?")]
    assert valid.urls == ["https://user.example/given", "https://example.com/a"]
    assert [(c.tool, c.argument) for c in valid.tool_calls] == [("enrich_entity", "Northwind Traders")]
    refused = "\n".join(valid.refused)
    assert "sub-question 'Is it loud?': over the limit of 2" in refused
    assert "file:///etc/passwd': not an http or https URL" in refused
    assert "javascript:alert(1)" in refused
    assert "shell is not an offered tool (enrich_entity)" in refused
    assert "no argument" in refused and "a duplicate" in refused


def test_without_offered_tools_every_tool_call_is_refused_and_the_question_stands_in() -> None:
    plan = ResearchPlan(sub_questions=[], urls=[f"https://example.com/{i}" for i in range(MAX_URLS + 2)],
                        tool_calls=[PlannedToolCall(tool="enrich_entity", argument="Bristol")])
    valid = validate_plan(plan, "  Are heat pumps   worth it? ", [], {}, max_sub_questions=8)
    assert [q.text for q in valid.sub_questions] == ["Are heat pumps worth it?"]
    assert valid.tool_calls == [] and "none offered" in valid.refused[-1]
    assert len(valid.urls) == MAX_URLS and sum("over the limit" in r for r in valid.refused) == 2


def test_follow_ups_are_the_reviewers_new_questions_numbered_by_round() -> None:
    review = ResearchReview(score=0.4, critique="Thin.", follow_up_questions=["Who installs it?", "What about noise?"])
    asked = [SubQuestion(id="q1", text="Who installs it?")]
    assert follow_up_questions(review, 2, asked, 8) == [SubQuestion(id="r2-q1", text="What about noise?")]
