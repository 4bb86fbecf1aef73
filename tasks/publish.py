"""Publish steps: write results where users find them; idempotent, never cached."""

from __future__ import annotations

import asyncio

from prefect import runtime, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from blocks.store import PipelineStore
from tasks.models import DocumentOutcome
from tasks.policies import PUBLISH
from tasks.report import PipelineReport


@task(name="store-document", task_run_name="store-document[{outcome.source}]", **PUBLISH)
async def store_outcome(outcome: DocumentOutcome, text: str | None, store: PipelineStore) -> None:
    """Upsert one document's outcome and results; storing the same outcome twice changes nothing."""
    await asyncio.to_thread(store.save_outcome, outcome, text, runtime.flow_run.id)


@task(name="publish-report", **PUBLISH)
async def publish_report(report: PipelineReport) -> None:
    """The run's result table and markdown summary as artifacts in the Prefect UI."""
    await acreate_table_artifact(
        key="document-pipeline-results", table=report.table_rows(), description=report.headline()
    )
    await acreate_markdown_artifact(key="document-pipeline-summary", markdown=report.markdown())
