"""A long-lived runner that starts deployments' flow runs in its own process, within a poll of their being due.

Prefect's worker and `flow.serve` start every flow run in a new process (`python -m prefect.engine`, or a
`multiprocessing` spawn), which imports Prefect and the pipeline first: about 3 s before a delivered document's run
is Running. This runner imports each deployment's flow once, from its entrypoint, then every `poll_seconds` asks the
API for the deployments' scheduled runs that are due, claims each by proposing Pending (as Prefect's runner does)
and runs it in this process with Prefect's engine (what `python -m prefect.engine` calls), each run a task of this
event loop, at most `limit` at once.

What stays as with a worker:
- **Each run starts once.** The server orchestrates a proposal under the run's row lock, and its
  `PreventPendingTransitions` rule refuses Pending to a run already Pending, Running, Cancelling or Cancelled: of
  two runners (or a runner and a worker) polling one run, the second is refused and skips it.
- **Retry from the UI.** A retry puts the run back in a scheduled state, which the next poll claims.
- **Cancel from the UI.** A run set Cancelling is cancelled here at the next poll, then set Cancelled.
- **A killed runner's runs end Crashed.** Each run sends heartbeats (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, set by
  `agentic runner`); when they stop, the "run lost its process" automation marks the run Crashed, and it can be
  retried from the UI.

What differs: the runs share a process, so one run that exhausts memory or blocks the event loop holds up the
others (keep the worker for work that needs a process of its own). On SIGTERM or SIGINT the runner stops claiming and
gives the runs in flight `drain_seconds` to finish; those still going are then cancelled and end Crashed.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from prefect import Flow, get_client
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.exceptions import Abort
from prefect.flow_engine import run_flow
from prefect.flows import load_flow_from_entrypoint
from prefect.states import Cancelled, Pending
from prefect.utilities.engine import propose_state

logger = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 0.25
DEFAULT_LIMIT = 8
DEFAULT_DRAIN_SECONDS = 30.0


@dataclass(frozen=True)
class ServedDeployment:
    """A deployment this runner serves: its id, its name (`flow/deployment`) and its flow, imported once."""

    id: UUID
    name: str
    flow: Flow[..., Any]


async def served_deployment(client: PrefectClient, name: str) -> ServedDeployment:
    """The deployment called `flow/deployment`, its flow imported from its entrypoint (relative to this folder)."""
    deployment = await client.read_deployment_by_name(name)
    if not deployment.entrypoint:
        raise ValueError(f"the deployment {name} has no entrypoint to import its flow from")
    return ServedDeployment(deployment.id, name, load_flow_from_entrypoint(deployment.entrypoint))


async def execute(flow: Flow[..., Any], flow_run: FlowRun) -> None:
    """Run a claimed flow run here with Prefect's engine: it proposes Running, then the run's final state."""
    try:
        if flow.isasync:
            await run_flow(flow, flow_run=flow_run, return_type="state")  # type: ignore[misc]
        else:
            await asyncio.to_thread(run_flow, flow, flow_run=flow_run, return_type="state")
    except Abort:
        logger.info("flow run %s: the server told the engine to stop", flow_run.id)
    except Exception:  # the engine has set the run's final state (Failed, Crashed) and logged it
        logger.debug("flow run %s ended with an exception", flow_run.id, exc_info=True)


@dataclass
class InProcessRunner:
    """Claims the due runs of its deployments and runs each as a task of this event loop."""

    deployments: Sequence[ServedDeployment]
    poll_seconds: float = DEFAULT_POLL_SECONDS
    limit: int = DEFAULT_LIMIT
    drain_seconds: float = DEFAULT_DRAIN_SECONDS
    running: dict[UUID, asyncio.Task[None]] = field(default_factory=dict)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def serve(self) -> None:
        """Poll until stopped (SIGTERM, SIGINT or `stopping`), then let the runs in flight finish."""
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signal_number, self.stopping.set)
        async with get_client() as client:
            while not self.stopping.is_set():
                try:
                    await self.cancel_requested(client)
                    await self.claim_due(client)
                except Exception:  # an API that is briefly away: poll again
                    logger.warning("could not poll the Prefect API; trying again", exc_info=True)
                try:
                    await asyncio.wait_for(self.stopping.wait(), timeout=self.poll_seconds)
                except TimeoutError:
                    pass
            await self._drain(client)

    async def claim_due(self, client: PrefectClient) -> None:
        """Claim and start as many due runs as there is room for, earliest first."""
        room = self.limit - len(self.running)
        if room <= 0:
            return
        flows = {deployment.id: deployment.flow for deployment in self.deployments}
        due = await client.get_scheduled_flow_runs_for_deployments(
            deployment_ids=list(flows), scheduled_before=datetime.datetime.now(datetime.UTC), limit=room)
        for flow_run in sorted(due, key=lambda run: run.next_scheduled_start_time or run.created or 0):
            if flow_run.id in self.running or flow_run.deployment_id not in flows or self.stopping.is_set():
                continue
            claimed = await _claim(client, flow_run)
            if claimed is not None:
                task = asyncio.create_task(execute(flows[flow_run.deployment_id], claimed),
                                           name=f"flow-run-{claimed.id}")
                self.running[claimed.id] = task
                task.add_done_callback(partial(self._forget, claimed.id))

    async def cancel_requested(self, client: PrefectClient) -> None:
        """Cancel the runs here that someone set Cancelling (the UI's Cancel), and set them Cancelled."""
        if not self.running:
            return
        cancelling = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=list(self.running)),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CANCELLING]))))
        for flow_run in cancelling:
            task = self.running.get(flow_run.id)
            if task is not None:
                task.cancel()
                await asyncio.wait([task])
            await client.set_flow_run_state(flow_run.id, Cancelled(message="Cancelled in the in-process runner"),
                                            force=True)
            logger.info("flow run %s cancelled", flow_run.id)

    def _forget(self, run_id: UUID, _: asyncio.Task[None]) -> None:
        """A run's task ended: room for another."""
        self.running.pop(run_id, None)

    async def _drain(self, client: PrefectClient) -> None:
        """Give the runs in flight drain_seconds to finish; cancel the rest (they end Crashed)."""
        if not self.running:
            return
        logger.info("stopping: waiting up to %g s for %d runs in flight", self.drain_seconds, len(self.running))
        _, pending = await asyncio.wait(list(self.running.values()), timeout=self.drain_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


async def _claim(client: PrefectClient, flow_run: FlowRun) -> FlowRun | None:
    """The run, Pending and ours, or None when another runner (or a cancellation) got there first."""
    try:
        state = await propose_state(client, Pending(), flow_run_id=flow_run.id)
    except Abort:
        return None
    if not state.is_pending():
        return None
    return flow_run.model_copy(update={"state": state})
