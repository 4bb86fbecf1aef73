"""The research pipeline: a question in, a reviewed research report out.

planner → validated plan → fan-out (a tool-calling research agent per sub-question, a scraper per URL, tool calls),
each agent type in its own queue (a Prefect concurrency cap and rate limit) → fan-in that tolerates
partial failure → synthesis → review → [below the bar: another round of research on the critique]
→ the report, as a markdown artifact and in the store. Every model call is budgeted; the budget and
every finished call survive a crash, so running the same job again pays for nothing twice.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, runtime
from prefect.states import Completed, Failed, State
from prefect.utilities.urls import url_for

from agentic_kit import ResearchBlocks, observed_run
from agentic_kit.models import Budget, Findings, ResearchReview, SubQuestion, SubQuestionNotes, ToolCall, ValidatedPlan
from tasks.research.agents import plan_research, review_report, synthesize_report
from tasks.research.budget import research_run_key
from tasks.research.fetch import fetch_page
from tasks.research.limits import AgentKind
from tasks.research.parts import PartRunner
from tasks.research.plan import follow_up_questions, validate_plan
from tasks.research.publish import publish_research_report, spent_so_far
from tasks.research.report import ResearchReport, ResearchStatus, unsynthesized_body
from tasks.research.researcher import research
from tasks.research.tools import call_tool, offered_tools

DEFAULT_MAX_TOKENS = 200_000
DEFAULT_MAX_COST_USD = 1.0
REPORTS_FOLDER = Path(".agentic/research")


@dataclass
class ResearchJob:
    """One run's question, blocks and budget, and what it has so far; each method runs one stage's parts."""

    question: str
    blocks: ResearchBlocks
    budget: Budget
    runner: PartRunner = field(init=False)
    plan: ValidatedPlan | None = None
    sub_questions: list[SubQuestion] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    body: str | None = None
    review: ResearchReview | None = None
    rounds: int = 0
    failure: str | None = None

    def __post_init__(self) -> None:
        self.runner = PartRunner(self.blocks.store)

    def _failed(self, what: str) -> None:
        """Record that a stage the run cannot do without failed (not when the budget stopped it)."""
        if not self.runner.budget_stop:
            self.failure = f"the {what} failed: {self.runner.missing[-1].reason}"

    async def make_plan(self, urls: list[str], tools: dict[str, str], max_sub_questions: int) -> ValidatedPlan | None:
        """Ask the planner and validate its plan; None when there is none."""
        b = self.blocks
        proposed = await self.runner.run(AgentKind.PLANNER, "plan", plan_research, self.question, urls, tools,
                                         max_sub_questions, b.model, b.store, self.budget)
        if proposed is None:
            self._failed("planner")
            return None
        self.plan = validate_plan(proposed.output, self.question, urls, tools, max_sub_questions)
        return self.plan

    async def fan_out(self, sub_questions: list[SubQuestion], urls: list[str], calls: list[ToolCall]) -> None:
        """Research every sub-question, read every URL and make every tool call at once; keep what came back."""
        b, run = self.blocks, self.runner.run
        notes = [self.runner.run_part(AgentKind.RESEARCHER, f"{q.id} '{q.text}'",
                                      functools.partial(research, self.question, q, b, self.budget))
                 for q in sub_questions]
        pages = [run(AgentKind.SCRAPER, url, fetch_page, url, b.fetch) for url in urls]
        tools = [run(AgentKind.TOOL, f"{c.tool}({c.argument})", call_tool, c, b.enrichment, b.store) for c in calls]
        results = await asyncio.gather(*notes, *pages, *tools)
        n, p = len(notes), len(pages)
        self.sub_questions += sub_questions
        self.rounds += 1
        self.findings = self.findings.merged(Findings(
            notes=[SubQuestionNotes(sub_question=q, notes=r) for q, r in zip(sub_questions, results[:n]) if r],
            pages=[page for page in results[n:n + p] if page],
            tools=[result for result in results[n + p:] if result],
        ))

    def enough_delivered(self, min_success_fraction: float) -> bool:
        """Whether enough fan-out parts delivered; if not, the failure names every failed part."""
        fraction = self.runner.success_fraction(self.findings)
        if fraction >= min_success_fraction:
            return True
        failed = self.runner.failed()
        self.failure = (
            f"{self.findings.parts} of {self.findings.parts + len(failed)} parts delivered ({fraction:.0%}), "
            f"below the least fraction of {min_success_fraction:.0%}; missing: "
            + "; ".join(f"{m.kind} {m.label}: {m.reason}" for m in failed)
        )
        return False

    async def draft_and_review(self) -> bool:
        """Synthesize the report from everything so far (answering the last critique) and review it;
        False when no new draft came (the last one, if any, stays)."""
        b, label = self.blocks, f"round {self.rounds}"
        earlier = (self.body, self.review) if self.body is not None and self.review is not None else None
        draft = await self.runner.run(AgentKind.SYNTHESIZER, label, synthesize_report, self.question,
                                      self.sub_questions, self.findings, earlier, self.rounds, b.model, b.store,
                                      self.budget)
        if draft is None:
            if self.body is None:
                self._failed("synthesis")
            return False
        self.body = draft.output.report
        verdict = await self.runner.run(AgentKind.REVIEWER, label, review_report, self.question, self.sub_questions,
                                        self.body, self.rounds, b.model, b.store, self.budget)
        self.review = verdict.output if verdict is not None else None
        return True

    def follow_ups(self, review_bar: float, max_rounds: int, max_sub_questions: int) -> list[SubQuestion]:
        """The next round's sub-questions: the reviewer's, when the score is below the bar and rounds are left."""
        if self.review is None or self.review.score >= review_bar or self.rounds >= max_rounds:
            return []
        if self.runner.budget_stop:
            return []
        return follow_up_questions(self.review, self.rounds + 1, self.sub_questions, max_sub_questions)

    def status(self, review_bar: float) -> ResearchStatus:
        """How the run ended: a failure first, then the budget, then the review against the bar."""
        if self.failure:
            return "failed"
        if self.runner.budget_stop:
            return "budget_stopped"
        return "below_bar" if self.review is not None and self.review.score < review_bar else "complete"


@flow(name="research-pipeline", description="Plan, research in parallel, synthesize and review a research report.")
async def research_pipeline(
    question: str,
    urls: list[str] | None = None,
    max_sub_questions: int = 8,
    min_success_fraction: float = 0.75,
    review_bar: float = 0.7,
    max_rounds: int = 2,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    max_cost_usd: float = DEFAULT_MAX_COST_USD,
    language_model: str | None = None,
    enrichment_api: str | None = None,
    store: str | None = None,
    fetch_policy: str | None = None,
) -> State[ResearchReport]:
    """Research a question and publish the report.

    `urls` are always read; the planner may add more. The run fails when fewer than
    `min_success_fraction` of the research, scrape and tool parts deliver, or when the planner or the
    synthesis fails; the report names every missing part and why. A review below `review_bar` starts
    another round of research on the critique, up to `max_rounds` rounds in all. Past `max_tokens` or
    `max_cost_usd` (for this job, over all its runs) no new model call starts and the report says so.
    """
    with observed_run("research-pipeline"):
        blocks = await ResearchBlocks.resolve(language_model, enrichment_api, store, fetch_policy)
        urls = urls or []
        key = research_run_key(question, urls, max_sub_questions, review_bar, max_rounds, blocks.model)
        job = ResearchJob(question, blocks, Budget(run_key=key, max_tokens=max_tokens, max_cost_usd=max_cost_usd))
        if (plan := await job.make_plan(urls, offered_tools(blocks.enrichment), max_sub_questions)) is not None:
            await job.fan_out(plan.sub_questions, plan.urls, plan.tool_calls)
            while job.enough_delivered(min_success_fraction) and await job.draft_and_review():
                follow_ups = job.follow_ups(review_bar, max_rounds, max_sub_questions)
                if not follow_ups:
                    break
                await job.fan_out(follow_ups, [], [])

        runner = job.runner
        report = ResearchReport(
            run_key=key, question=question, status=job.status(review_bar),
            body=job.body or unsynthesized_body(job.findings, job.failure or runner.budget_stop or "no synthesis"),
            review=job.review, review_bar=review_bar, rounds=job.rounds, plan=job.plan, findings=job.findings,
            missing=runner.missing, success_fraction=runner.success_fraction(job.findings),
            min_success_fraction=min_success_fraction, failure=job.failure, budget_stop=runner.budget_stop,
            budget=job.budget, spend=await spent_so_far(blocks.store, key), model=blocks.model.model,
            model_calls=runner.model_calls, cached_calls=runner.cached_calls,
            flow_run_url=url_for("flow-run", obj_id=runtime.flow_run.id),
        )
        await publish_research_report(report, blocks.store)
        if job.failure:
            return Failed(message=f"{report.headline()}. {job.failure}", data=report)
        return Completed(message=report.headline(), data=report)


def research_once(question: str, urls: list[str] | None = None,
                  **parameters: Any) -> tuple[State[ResearchReport], ResearchReport | None, Path | None]:
    """Run the pipeline once in this process and write its report to a file: the final state, the report and the
    file (both None when the run ended without a report)."""
    state = asyncio.run(research_pipeline(question, urls, **parameters, return_state=True))
    report = state.result(raise_on_failure=False)
    if not isinstance(report, ResearchReport):
        return state, None, None
    path = REPORTS_FOLDER / f"{report.budget.short_key}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.markdown(), encoding="utf-8")
    return state, report, path.resolve()


def print_research(report: ResearchReport, path: Path) -> None:
    """What a person reads after a run: the headline, the spend and where the report is."""
    print(report.headline())
    print(f"spent: {report.spend_line()}")
    print(f"report: {path}")
    print(f"also in the store (table research_runs, run key {report.run_key}) and in the Prefect UI as the "
          f"'research-report' artifact of {report.flow_run_url}")


def main() -> None:
    """Run the pipeline once from the command line, write the report to a file and say where it is."""
    parser = argparse.ArgumentParser(description="Research a question once.")
    parser.add_argument("question")
    parser.add_argument("--url", action="append", dest="urls", help="a page to read (repeatable)")
    parser.add_argument("--max-sub-questions", type=int, default=8)
    parser.add_argument("--min-success-fraction", type=float, default=0.75)
    parser.add_argument("--review-bar", type=float, default=0.7)
    parser.add_argument("--max-rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=DEFAULT_MAX_TOKENS)
    parser.add_argument("--max-cost-usd", type=float, default=DEFAULT_MAX_COST_USD)
    args = parser.parse_args()
    state, report, path = research_once(
        args.question, args.urls, max_sub_questions=args.max_sub_questions,
        min_success_fraction=args.min_success_fraction, review_bar=args.review_bar, max_rounds=args.max_rounds,
        max_tokens=args.max_tokens, max_cost_usd=args.max_cost_usd,
    )
    if report is None or path is None:
        raise SystemExit(f"The run ended {state.name}: {state.message}")
    print_research(report, path)
    raise SystemExit(0 if state.is_completed() else 1)


if __name__ == "__main__":
    main()
