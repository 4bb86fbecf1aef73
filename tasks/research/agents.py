"""The research pipeline's planner, synthesizer and reviewer, each one budgeted model call (the researcher is a
tool-calling agent: tasks/research/researcher.py).

Each agent answers its own output class, so a model server's log (keyed by the JSON schema's name)
tells the agents apart. Fetched pages and tool answers reach a model only as quoted material. Each agent's
instructions are versioned, and the version is part of its cache key (agentic_kit._steps.policies.with_instructions).
"""

from __future__ import annotations

import re

from prefect import task

from agentic_kit import LLM_CALL, LanguageModel, indexed, with_instructions
from agentic_kit.models import (
    Budget,
    Findings,
    Instructions,
    ModelReply,
    ModelRequest,
    ResearchPlan,
    ResearchReview,
    ResearchSynthesis,
    SubQuestion,
)
from agentic_kit.store import PipelineStore
from tasks.research import offline_answers  # noqa: F401 - registers the offline model's answers to these agents
from tasks.research.budget import ask_within_budget
from tasks.research.limits import AgentKind

MAX_SOURCE_CHARS = 6000
"""The most of one page's text a model is shown."""

PLAN_INSTRUCTIONS = Instructions(text=(
    "Plan research that answers the question. Give at most {limit} focused sub-questions; list further "
    "http or https URLs worth reading, if you know any (the URLs in the material are read anyway); and "
    "choose tool calls, only of the offered tools, each with one argument. Use empty lists where nothing fits."
))
SYNTHESIS_INSTRUCTIONS = Instructions(text=(
    "Write a research report in markdown that answers the question from the research notes, the sources "
    "and the tool results. Cite sources by their number, as [1]. Say plainly where the material is thin. "
    "When a critique of an earlier draft is given, address it."
))
REVIEW_INSTRUCTIONS = Instructions(text=(
    "Judge whether the report answers the question and each sub-question from its material. Give a score "
    "from 0 (useless) to 1 (excellent), a short critique, and up to three follow-up questions more research "
    "could answer (none when the report is good)."
))
_MATERIAL_TAG = re.compile(r"<(/?)material", re.IGNORECASE)


def quoted(text: str) -> str:
    """Text safe to quote as material: it cannot close the <material> tag it is quoted in."""
    return _MATERIAL_TAG.sub(r"<\\\1material", text)


def sub_questions_text(sub_questions: list[SubQuestion]) -> str:
    """One line a sub-question: `q1: text`."""
    return "\n".join(f"{q.id}: {quoted(q.text)}" for q in sub_questions)


def findings_material(findings: Findings) -> dict[str, str]:
    """Notes, each page as its own numbered source, and tool results, as quoted material."""
    notes = "\n\n".join(
        f"{n.sub_question.id}: {quoted(n.sub_question.text)}\n"
        + "\n".join(f"- {quoted(f)}" for f in n.notes.findings)
        + "".join(f"\n- gap: {quoted(g)}" for g in n.notes.gaps)
        for n in findings.notes
    )
    material = {"notes": notes or "(none)"}
    for number, page in enumerate(findings.pages, start=1):
        material[f"source-{number}"] = f"URL: {quoted(page.url)}\n\n{quoted(page.text[:MAX_SOURCE_CHARS])}"
    tools = "\n".join(f"{t.call.tool}({quoted(t.call.argument)}): {quoted(t.text)}" for t in findings.tools)
    material["tools"] = tools or "(none)"
    return material


@indexed
@task(name="plan-research", task_run_name="plan-research[{budget.short_key}]",
      **with_instructions(LLM_CALL, PLAN_INSTRUCTIONS))
async def plan_research(
    question: str, urls: list[str], tools: dict[str, str], max_sub_questions: int,
    model: LanguageModel, store: PipelineStore, budget: Budget,
) -> ModelReply[ResearchPlan]:
    """The planner: sub-questions, URLs to read (of those offered) and tool calls (of the tools offered)."""
    request = ModelRequest(step="plan", instructions=PLAN_INSTRUCTIONS.format(limit=max_sub_questions), material={
        "question": quoted(question),
        "urls": "\n".join(quoted(u) for u in urls) or "(none)",
        "tools": "\n".join(f"{name}: {about}" for name, about in tools.items()) or "(none)",
    })
    return await ask_within_budget(AgentKind.PLANNER, budget, model, store, request, ResearchPlan)


@indexed
@task(name="synthesize-report", task_run_name="synthesize-report[round {round_number}]",
      **with_instructions(LLM_CALL, SYNTHESIS_INSTRUCTIONS))
async def synthesize_report(
    question: str, sub_questions: list[SubQuestion], findings: Findings, earlier: tuple[str, ResearchReview] | None,
    round_number: int, model: LanguageModel, store: PipelineStore, budget: Budget,
) -> ModelReply[ResearchSynthesis]:
    """The synthesis agent: the report from everything the round brought back (and the critique of the last draft)."""
    material = {"question": quoted(question), "sub_questions": sub_questions_text(sub_questions),
                **findings_material(findings)}
    if earlier is not None:
        material["previous_report"], material["critique"] = quoted(earlier[0]), quoted(earlier[1].critique)
    request = ModelRequest(step="synthesize", instructions=SYNTHESIS_INSTRUCTIONS.text, material=material)
    return await ask_within_budget(AgentKind.SYNTHESIZER, budget, model, store, request, ResearchSynthesis)


@indexed
@task(name="review-report", task_run_name="review-report[round {round_number}]",
      **with_instructions(LLM_CALL, REVIEW_INSTRUCTIONS))
async def review_report(
    question: str, sub_questions: list[SubQuestion], report: str, round_number: int,
    model: LanguageModel, store: PipelineStore, budget: Budget,
) -> ModelReply[ResearchReview]:
    """The reviewer agent: a score, a critique and follow-up questions for the report."""
    request = ModelRequest(step="review-report", instructions=REVIEW_INSTRUCTIONS.text, material={
        "question": quoted(question), "sub_questions": sub_questions_text(sub_questions), "report": quoted(report),
    })
    return await ask_within_budget(AgentKind.REVIEWER, budget, model, store, request, ResearchReview)
