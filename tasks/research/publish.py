"""Publish a research report: the job's row in the store and a markdown artifact in the Prefect UI."""

from __future__ import annotations

import asyncio

from prefect import runtime, task
from prefect.artifacts import acreate_markdown_artifact

from agentic_kit import PUBLISH
from agentic_kit.models import Spend
from agentic_kit.store import PipelineStore, ResearchRunRow, budget_spent, limits_label, save_research_run, utc_now
from tasks.research.report import ResearchReport

REPORT_ARTIFACT_KEY = "research-report"


@task(name="spent-so-far", **PUBLISH)
async def spent_so_far(store: PipelineStore, run_key: str) -> Spend:
    """What the job's model calls have used, over every run of it."""
    return await asyncio.to_thread(budget_spent, store, run_key)


@task(name="publish-research-report", task_run_name="publish-research-report[{report.status}]", **PUBLISH)
async def publish_research_report(report: ResearchReport, store: PipelineStore) -> None:
    """Store the report with its figures (replacing the job's last one) and show it as a markdown artifact."""
    markdown = report.markdown()
    row = ResearchRunRow(
        run_key=report.run_key, question=report.question, status=report.status,
        score=report.review.score if report.review else None, rounds=report.rounds, report=markdown,
        tokens_spent=report.spend.tokens, cost_usd=report.spend.cost_usd, max_tokens=report.budget.max_tokens,
        max_cost_usd=report.budget.max_cost_usd, budget_stop=report.budget_stop,
        stopped_at=limits_label(report.budget) if report.budget_stop else None,
        flow_run_id=runtime.flow_run.id, updated_at=utc_now(),
    )
    await asyncio.to_thread(save_research_run, store, row)
    await acreate_markdown_artifact(key=REPORT_ARTIFACT_KEY, markdown=markdown, description=report.headline())
