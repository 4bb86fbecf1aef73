"""The report of one research run: its status, the synthesized body (or what came back, unsynthesized),
the review, the sources, what is missing and why, and what the run spent."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from agentic_kit.models import Budget, Findings, MissingPart, ResearchReview, Spend, ValidatedPlan

ResearchStatus = Literal["complete", "below_bar", "budget_stopped", "failed"]
STATUS_WORDS: dict[str, str] = {
    "complete": "Complete",
    "below_bar": "Reviewed below the bar",
    "budget_stopped": "Stopped by the budget",
    "failed": "Failed",
}
PAGE_HEAD_CHARS = 300


class ResearchReport(BaseModel):
    """Everything a research run produced and spent, and why it ended as it did."""

    run_key: str
    question: str
    status: ResearchStatus
    body: str
    review: ResearchReview | None = None
    review_bar: float
    rounds: int
    plan: ValidatedPlan | None = None
    findings: Findings
    missing: list[MissingPart]
    success_fraction: float
    min_success_fraction: float
    failure: str | None = None
    budget_stop: str | None = None
    budget: Budget
    spend: Spend
    model: str
    model_calls: int
    cached_calls: int
    flow_run_url: str | None = None

    def headline(self) -> str:
        """One line: status, what came back, what is missing, the review, the calls and the spend."""
        review = f"review {self.review.score:.2f} (bar {self.review_bar:.2f})" if self.review else "not reviewed"
        return (
            f"{STATUS_WORDS[self.status]}: {len(self.findings.notes)} sub-questions researched, "
            f"{len(self.findings.pages)} pages read, {len(self.findings.tools)} tool results, "
            f"{len(self.missing)} parts missing; {review}; {self.rounds} rounds; "
            f"{self.model_calls} model calls made, {self.cached_calls} from cache"
        )

    def spend_line(self) -> str:
        """What the job's model calls used, against its budget."""
        return (
            f"{self.spend.tokens:,} of {self.budget.max_tokens:,} tokens, ${self.spend.cost_usd:.4f} of "
            f"${self.budget.max_cost_usd:.4f} over {self.spend.calls} model calls (model: {self.model})"
        )

    def markdown(self) -> str:
        """The report as markdown, for the artifact and the store."""
        lines = [f"# Research: {self.question}", "", f"**{self.headline()}**", ""]
        if self.budget_stop:
            note = f"The budget stopped this run: {self.budget_stop}. The report is written from what came back before it."
            lines += [f"> {note}", ""]
        if self.failure:
            lines += [f"> This run failed: {self.failure}", ""]
        lines += ["## Report", "", self.body.strip(), ""]
        if self.review:
            verdict = f"Score {self.review.score:.2f} (bar {self.review_bar:.2f}) after {self.rounds} rounds."
            lines += ["## Review", "", f"{verdict} {self.review.critique}", ""]
        lines += _section("Sources read", [f"[{n}] {p.url}" for n, p in enumerate(self.findings.pages, start=1)])
        lines += _section("Tool results", [f"{t.call.tool}({t.call.argument}): {t.text}" for t in self.findings.tools])
        lines += _section("Missing", [f"{m.kind} {m.label}: {m.reason}" for m in self.missing])
        lines += _section("Plan items refused", self.plan.refused if self.plan else [])
        lines += ["## Budget", "", f"- spent: {self.spend_line()}",
                  f"- parts delivered: {self.success_fraction:.0%} (at least {self.min_success_fraction:.0%} must)",
                  f"- run key: `{self.run_key}`"]
        if self.flow_run_url:
            lines.append(f"- run: {self.flow_run_url}")
        return "\n".join(lines) + "\n"


def _section(title: str, items: list[str]) -> list[str]:
    """A markdown section listing items, or nothing when there are none."""
    return [f"## {title}", "", *(f"- {item}" for item in items), ""] if items else []


def unsynthesized_body(findings: Findings, reason: str) -> str:
    """A report body straight from the findings, for a run that wrote no synthesis."""
    lines = [f"No synthesis was written ({reason}). What came back:", ""]
    for item in findings.notes:
        lines += [f"### {item.sub_question.id}: {item.sub_question.text}", ""]
        lines += [f"- {finding}" for finding in item.notes.findings] or ["- (no findings)"]
        lines.append("")
    for number, page in enumerate(findings.pages, start=1):
        head = " ".join(page.text.split())[:PAGE_HEAD_CHARS]
        lines += [f"[{number}] {page.url}: {head}", ""]
    return "\n".join(lines)
