"""`agentic runner DEPLOYMENT...`: run deployments' flow runs in this long-lived process, started within a poll.

    agentic runner document-pipeline/on-document-received [--poll 0.25] [--limit 8] [--drain 30]

A worker starts each flow run in a new process that imports Prefect and the pipeline (seconds); this runner imports
each deployment's flow once and starts its due runs in its own event loop (agentic_kit/_operate/in_process_runner.py:
how a run is claimed once, cancelled, retried, and marked Crashed if the runner dies). Run it from the project's
folder, against the Prefect server PREFECT_API_URL names (a local one is started when none answers). Heartbeats are
on (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, 30 s unless set) so that the "run lost its process" automation can mark a
killed runner's runs Crashed. A worker on the deployments' pool stays a fallback: it takes the runs this runner is
not there to claim. Exit 3 when a deployment does not exist.

Imports nothing from Prefect when the module loads (see app.py).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated

import typer

from agentic_kit._operate.cli.output import EXIT_NOT_FOUND, EXIT_USAGE, console, fail, use_local_server

HEARTBEAT_SECONDS = "30"
"""PREFECT_FLOWS_HEARTBEAT_FREQUENCY unless set: Prefect's shortest, as `make worker` sets it."""


def runner(
    deployments: Annotated[list[str], typer.Argument(help="deployments to serve, as flow/deployment")],
    poll: Annotated[float, typer.Option(help="seconds between polls for due runs", min=0.05)] = 0.25,
    limit: Annotated[int, typer.Option(help="flow runs at once", min=1)] = 8,
    drain: Annotated[float, typer.Option(help="seconds runs in flight get to finish on SIGTERM", min=0)] = 30.0,
) -> None:
    """Serve deployments' flow runs in this process until SIGTERM or Ctrl-C."""
    malformed = [name for name in deployments if name.count("/") != 1]
    if malformed:
        fail(f"a deployment is named flow/deployment, e.g. document-pipeline/on-document-received: "
             f"{', '.join(malformed)}", EXIT_USAGE)
    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", HEARTBEAT_SECONDS)
    api_url = use_local_server()
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # entrypoints are relative to the project's folder, as for a worker
    asyncio.run(_serve(deployments, api_url, poll, limit, drain))


async def _serve(names: list[str], api_url: str, poll: float, limit: int, drain: float) -> None:
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    from agentic_kit._operate.in_process_runner import InProcessRunner, served_deployment

    async with get_client() as client:
        try:
            served = [await served_deployment(client, name) for name in names]
        except ObjectNotFound:
            fail(f"no such deployment on {api_url} among {', '.join(names)}: deploy first (make deploy)",
                 EXIT_NOT_FOUND)
    console.print(f"serving {', '.join(names)} in this process (poll {poll:g} s, {limit} runs at once) on {api_url}",
                  highlight=False, soft_wrap=True)
    await InProcessRunner(served, poll, limit, drain).serve()
