"""One document-pipeline run in this process, timed: `python -m bench.pipeline_run FOLDER --concurrency 16`.

Prints one JSON line: seconds (the flow call alone), the final state, document counts, model calls made,
model steps from cache, agent task runs (of the tasks in tasks/documents/agents.py and tasks/documents/tools.py),
the flow call's CPU seconds and the process's peak RSS in MiB.
"""

from __future__ import annotations

import logging
import resource
import time
from pathlib import Path
from typing import Any

from prefect import Task

import tasks.documents.agents
import tasks.documents.tools
from agentic_kit import ModelStep, ToolStep
from bench.child import run_child
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport

FINISHED = "Finished in state"
"""How Prefect's task-run logger announces the end of every task run (at INFO, or ERROR when failed)."""


class TaskRunCounter(logging.Handler):
    """Counts finished runs of the named tasks, from Prefect's task-run log."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record if it ends a run of one of the named tasks."""
        if getattr(record, "task_name", None) in self.names and record.getMessage().startswith(FINISHED):
            self.count += 1


def agent_task_names() -> set[str]:
    """The names of the agent (model) and tool (HTTP) steps and tasks."""
    return {obj.name for module in (tasks.documents.agents, tasks.documents.tools) for obj in vars(module).values()
            if isinstance(obj, (Task, ModelStep, ToolStep))}


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """Run the pipeline over folder and return its figures."""
    counter = TaskRunCounter(agent_task_names())
    logging.getLogger("prefect.task_runs").addHandler(counter)
    started, cpu_started = time.perf_counter(), time.process_time()
    state = await document_pipeline(folder=str(folder), max_concurrent_documents=concurrency, return_state=True)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    report = await state.aresult(raise_on_failure=False)
    if not isinstance(report, PipelineReport):
        raise SystemExit(f"the run ended {state.name} with no report: {state.message}")
    failures = [f"{o.failed_step}: {o.error}" for o in report.outcomes if o.status == "failed"]
    return {
        "seconds": seconds,
        "state": state.name,
        "processed": report.count("processed"),
        "rejected": report.count("rejected"),
        "failed": report.count("failed"),
        "model_calls": report.usage.calls,
        "cached_steps": report.cached_model_steps,
        "agent_task_runs": counter.count,
        "first_failure": failures[0] if failures else None,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    run_child(run, __doc__)
