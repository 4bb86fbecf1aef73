"""The document batch: a big input spread over the fleet as runs of a document-pipeline deployment.

The flow splits a folder (or paths, or URLs) into batches, starts one child run per batch, at most
max_concurrent_batches at once, waits for them (running again a child whose worker died), and reports the
children's totals with a link to each. Documents shared between batches cost one model call: the children share
the result storage and its cache.
"""

from __future__ import annotations

import argparse
import asyncio

from prefect import flow, runtime
from prefect.artifacts import acreate_markdown_artifact
from prefect.states import Completed, Failed, State

from tasks.documents.batch_report import BatchReport, ChildRun
from tasks.documents.batches import run_batch, split_into_batches

DEFAULT_DEPLOYMENT = "document-pipeline/fleet"


@flow(name="document-batch", description="Spread documents over the fleet as document-pipeline runs, and wait.")
async def document_batch(
    folder: str | None = None,
    paths: list[str] | None = None,
    urls: list[str] | None = None,
    batch_size: int = 10,
    max_concurrent_batches: int = 4,
    max_attempts: int = 3,
    deployment: str = DEFAULT_DEPLOYMENT,
    work_queue_name: str | None = None,
    pipeline_parameters: dict[str, object] | None = None,
) -> State[BatchReport]:
    """Run the documents as batches of batch_size, each a run of `deployment` (on its work queue, or on
    work_queue_name), at most max_concurrent_batches at once; a batch whose run crashed is run again, up to
    max_attempts runs in all. pipeline_parameters go to every child (e.g. review_threshold). The run fails when a
    batch did not finish or a document failed."""
    batches = split_into_batches(folder, paths, urls, batch_size)
    limit = asyncio.Semaphore(max_concurrent_batches)
    parent = runtime.flow_run.id

    async def one(number: int, batch_input: dict[str, list[str]]) -> ChildRun:
        async with limit:
            return await run_batch(deployment, number, batch_input, pipeline_parameters or {},
                                   f"{parent}-batch-{number}", max_attempts, work_queue_name)

    children = await asyncio.gather(*(one(number, batch) for number, batch in enumerate(batches, start=1)))
    report = BatchReport(children=list(children))
    await acreate_markdown_artifact(key="document-batch-summary", markdown=report.markdown(),
                                    description=report.headline())
    if report.unfinished or report.count("failed"):
        return Failed(message=report.headline(), data=report)
    return Completed(message=report.headline(), data=report)


def main() -> None:
    """Run one batch from the command line (against PREFECT_API_URL) and print its headline."""
    parser = argparse.ArgumentParser(description="Spread a folder of documents over the fleet, and wait.")
    parser.add_argument("folder", help="a folder every worker can read")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--max-concurrent-batches", type=int, default=4)
    parser.add_argument("--deployment", default=DEFAULT_DEPLOYMENT)
    args = parser.parse_args()
    state = asyncio.run(document_batch(args.folder, batch_size=args.batch_size, deployment=args.deployment,
                                       max_concurrent_batches=args.max_concurrent_batches, return_state=True))
    report = state.result(raise_on_failure=False)
    print(report.headline() if isinstance(report, BatchReport) else f"The run ended {state.name}: {state.message}")
    raise SystemExit(0 if state.is_completed() else 1)


if __name__ == "__main__":
    main()
