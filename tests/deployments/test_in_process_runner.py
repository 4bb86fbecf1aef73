"""`agentic runner`: deployments' flow runs started in one long-lived process. Two runners on one deployment run
each of a burst of runs once, in their own processes; a run cancelled from the API ends Cancelled while the runner
goes on; a failed run retried from the CLI is claimed again and completes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.states import Cancelling

from agentic_kit._operate.local_server import stop_process
from tests.conftest import REPO_ROOT, run_python, wait_until
from tests.deployments.conftest import final_state
from tests.support.runner_flows import runner_probe

pytestmark = pytest.mark.e2e

DEPLOYMENT = "runner-probe/probe"
BURST = 10
READY_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def deployment_id() -> Iterator[UUID]:
    """The probe flow deployed from its entrypoint, with no work pool: only a runner starts its runs; deleted after
    the module's tests (the bootstrap's tests count the session server's deployments)."""

    async def deploy() -> UUID:
        return await (await runner_probe.ato_deployment(name="probe")).aapply()

    async def delete(deployment: UUID) -> None:
        async with get_client() as client:
            await client.delete_deployment(deployment)

    deployment = asyncio.run(deploy())
    yield deployment
    asyncio.run(delete(deployment))


def start_runners(stack: ExitStack, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    """`agentic runner` processes serving the probe, each stopped by its pid when the test ends."""
    runners = []
    for n in range(count):
        log = logs / f"runner-{n}.log"
        process = subprocess.Popen([sys.executable, "-m", "agentic_kit", "runner", DEPLOYMENT, "--poll", "0.2"],
                                   cwd=REPO_ROOT, env=os.environ.copy(), stdout=log.open("wb"),
                                   stderr=subprocess.STDOUT)
        stack.callback(stop_process, process)
        runners.append(process)
        wait_until(lambda log=log: "serving" in log.read_text(errors="replace"), READY_TIMEOUT_SECONDS,
                   f"runner {n} serving")
    return runners


async def start_run(deployment: UUID, **parameters: object) -> UUID:
    async with get_client() as client:
        return (await client.create_flow_run_from_deployment(deployment, parameters=parameters)).id


def noted(notes: Path) -> list[tuple[str, int]]:
    """(item, pid) for every time the probe ran."""
    lines = notes.read_text().splitlines() if notes.exists() else []
    return [(item, int(pid)) for item, pid in (line.split() for line in lines)]


async def test_two_runners_run_each_of_a_burst_once_in_their_own_processes(deployment_id: UUID,
                                                                            tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    with ExitStack() as stack:
        runners = start_runners(stack, 2, tmp_path)
        runs = [await start_run(deployment_id, item=f"item-{n}", notes=str(notes)) for n in range(BURST)]
        states = [await final_state(run) for run in runs]
    ran = noted(notes)
    by_runner = Counter(pid for _, pid in ran)
    repeated = sum(count - 1 for count in Counter(item for item, _ in ran).values())
    print(f"runs: {BURST}, runners: 2, completed: {states.count('Completed')}, runs per runner: "
          f"{sorted(by_runner.values())}, run twice: {repeated}")
    assert states == ["Completed"] * BURST
    assert repeated == 0 and len(ran) == BURST
    assert set(by_runner) <= {runner.pid for runner in runners}, "every run ran inside a runner's process"


async def test_a_run_cancelled_from_the_api_ends_cancelled_and_the_runner_goes_on(deployment_id: UUID,
                                                                                  tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    with ExitStack() as stack:
        start_runners(stack, 1, tmp_path)
        slow = await start_run(deployment_id, item="slow", notes=str(notes), seconds=120)
        async with get_client() as client:
            deadline = time.monotonic() + READY_TIMEOUT_SECONDS
            while not (await client.read_flow_run(slow)).state.is_running():  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the slow run never started"
                await asyncio.sleep(0.2)
            await client.set_flow_run_state(slow, Cancelling(), force=True)
        assert await final_state(slow) == "Cancelled"
        after = await start_run(deployment_id, item="after", notes=str(notes))
        assert await final_state(after) == "Completed"


async def test_a_failed_run_retried_from_the_cli_is_claimed_again_and_completes(deployment_id: UUID,
                                                                               tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    with ExitStack() as stack:
        start_runners(stack, 1, tmp_path)
        run = await start_run(deployment_id, item="flaky", notes=str(notes), fail_first=True)
        assert await final_state(run) == "Failed"
        retried = run_python("-m", "prefect", "flow-run", "retry", str(run))
        assert retried.returncode == 0, retried.stdout + retried.stderr
        assert await final_state(run) == "Completed"
    assert [item for item, _ in noted(notes)] == ["flaky", "flaky"]
