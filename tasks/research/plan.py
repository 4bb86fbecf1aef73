"""Validate what the planner and the reviewer propose: the plan is model output, so it is data to check.

Sub-questions are trimmed, de-duplicated and capped; URLs must be http or https with a host; tool calls
must name a tool this run offers. Every item left out is kept with the reason, for the report.
"""

from __future__ import annotations

import httpx

from agentic_kit.models import ResearchPlan, ResearchReview, SubQuestion, ToolCall, ValidatedPlan

MAX_URLS = 10
MAX_TOOL_CALLS = 10
MAX_TEXT_CHARS = 500


def _normal(text: str) -> str:
    """Whitespace collapsed, for comparing and showing."""
    return " ".join(text.split())


def _questions(texts: list[str], seen: set[str], limit: int, refused: list[str]) -> list[str]:
    """The distinct, non-empty questions not seen before, at most limit of them."""
    kept: list[str] = []
    for text in (_normal(t)[:MAX_TEXT_CHARS] for t in texts):
        if not text or text.lower() in seen:
            continue
        if len(kept) == limit:
            refused.append(f"sub-question '{text}': over the limit of {limit}")
            continue
        seen.add(text.lower())
        kept.append(text)
    return kept


def _url_problem(url: str) -> str | None:
    """Why a URL cannot be read, or None."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a valid URL ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "not an http or https URL"
    return None


def _urls(given: list[str], proposed: list[str], refused: list[str]) -> list[str]:
    """The user's URLs, then the planner's valid additions, without duplicates, at most MAX_URLS."""
    kept: list[str] = []
    for url in dict.fromkeys(u.strip() for u in [*given, *proposed] if u.strip()):
        problem = _url_problem(url) or (f"over the limit of {MAX_URLS} URLs" if len(kept) == MAX_URLS else None)
        if problem:
            refused.append(f"URL '{url}': {problem}")
        else:
            kept.append(url)
    return kept


def _tool_calls(plan: ResearchPlan, tools: dict[str, str], refused: list[str]) -> list[ToolCall]:
    """Calls of offered tools with a non-empty argument, without duplicates, at most MAX_TOOL_CALLS."""
    kept: list[ToolCall] = []
    for proposed in plan.tool_calls:
        call = ToolCall(tool=proposed.tool.strip(), argument=_normal(proposed.argument))
        if call.tool not in tools:
            problem = f"{call.tool or 'no tool'} is not an offered tool ({', '.join(tools) or 'none offered'})"
        elif not call.argument:
            problem = "no argument"
        elif len(kept) == MAX_TOOL_CALLS:
            problem = f"over the limit of {MAX_TOOL_CALLS} tool calls"
        else:
            problem = None if call not in kept else "a duplicate"
        if problem:
            refused.append(f"tool call {call.tool}({call.argument}): {problem}")
        else:
            kept.append(call)
    return kept


def validate_plan(plan: ResearchPlan, question: str, urls: list[str], tools: dict[str, str],
                  max_sub_questions: int) -> ValidatedPlan:
    """The plan the flow will run: the question itself when the planner gave no usable sub-question."""
    refused: list[str] = []
    texts = _questions(plan.sub_questions, set(), max_sub_questions, refused) or [_normal(question)]
    return ValidatedPlan(
        sub_questions=[SubQuestion(id=f"q{i}", text=t) for i, t in enumerate(texts, start=1)],
        urls=_urls(urls, plan.urls, refused),
        tool_calls=_tool_calls(plan, tools, refused),
        refused=refused,
    )


def follow_up_questions(review: ResearchReview, round_number: int, asked: list[SubQuestion],
                        max_sub_questions: int) -> list[SubQuestion]:
    """The reviewer's follow-up questions not asked before, as the next round's sub-questions."""
    seen = {q.text.lower() for q in asked}
    texts = _questions(review.follow_up_questions, seen, max_sub_questions, [])
    return [SubQuestion(id=f"r{round_number}-q{i}", text=t) for i, t in enumerate(texts, start=1)]
