"""Priority lanes: with every worker busy on a backlog, a run sent to the urgent queue starts before the backlog
runs still queued."""

from __future__ import annotations

import asyncio
import time

from prefect import get_client
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from bench.documents import write_documents
from deployments.fleet import processes
from tests.fleet.conftest import FleetUnderTest

BACKLOG_RUNS = 5
WAIT_SECONDS = 240
"""Under the suite's 300 s timeout, so a wait that runs out says which one."""


async def test_an_urgent_run_starts_before_the_queued_backlog(fleet: FleetUnderTest) -> None:
    for number, worker in list(fleet.fleet.workers.items()):
        if not processes.alive(worker):
            fleet.fleet.start_worker(number)
    folders = [write_documents(fleet.inbox / f"backlog-{n}", 4, seed=100 + n) for n in range(BACKLOG_RUNS + 1)]
    topology = fleet.fleet.topology
    with temporary_settings({PREFECT_API_URL: topology.api_url, PREFECT_API_AUTH_STRING: fleet.fleet.auth()}):
        backlog = [await run_deployment("document-pipeline/fleet", parameters={"folder": str(folder)}, timeout=0)
                   for folder in folders[:BACKLOG_RUNS]]
        async with get_client() as client:
            deadline = time.monotonic() + WAIT_SECONDS
            while True:  # every worker (limit 1 each) busy: two backlog runs taken, the others queued
                runs = [await client.read_flow_run(run.id) for run in backlog]
                # a taken run is Pending while its process pulls the code (seconds) and Running for as little as
                # 2 s of 4 documents, so the two workers are rarely both Running at one poll
                taken = [run for run in runs if run.state and (run.state.is_pending() or run.state.is_running())]
                if len(taken) == topology.workers:
                    break
                assert time.monotonic() < deadline, "the workers never got busy with the backlog"
                await asyncio.sleep(0.2)
            queued = {run.id for run in runs if run.state and run.state.is_scheduled()}
            urgent = await run_deployment("document-pipeline/urgent", parameters={"folder": str(folders[-1])},
                                          timeout=0)
            while True:
                runs = [await client.read_flow_run(run.id) for run in [*backlog, urgent]]
                if all(run.state and run.state.is_final() for run in runs):
                    break
                assert time.monotonic() < deadline, "the runs did not finish"
                await asyncio.sleep(1)
    started = {run.id: run.start_time for run in runs}
    later = [run_id for run_id in queued if started[run_id] > started[urgent.id]]
    print(f"backlog={BACKLOG_RUNS} running={topology.workers} queued_when_urgent_sent={len(queued)} "
          f"started_after_urgent={len(later)}")
    assert queued, "no backlog run was queued when the urgent run was sent"
    assert later == list(queued) or set(later) == queued, {str(k): str(v) for k, v in started.items()}
