"""The webhook gateway's outbox relay: the events of accepted deliveries, from the store to the Prefect API.

The outbox relay, an asyncio task of the gateway's process started with the app, hands the waiting events to the
Prefect API, oldest first and in batches, and marks them sent only once Prefect confirmed them. It passes over the
outbox at once when it starts, so a restarted gateway sends what the previous one accepted, then whenever a delivery
is accepted and every RELAY_POLL_SECONDS. A send Prefect did not confirm (down, an error, no answer within
EVENT_CONFIRM_TIMEOUT_SECONDS) is tried again after 1, 2, 4 … s (at most RETRY_MAX_SECONDS), and at once when Prefect
confirms another send. The event id is uuid5 of the delivery id, and Prefect stores and triggers on an event id once,
so an event sent twice (its confirmation lost, the gateway killed between the send and marking it sent, two gateways
on one store) is one event and one run: nothing acknowledged is lost and nothing is emitted twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import timedelta
from typing import Any, TypeVar

from prefect.client.orchestration import PrefectClient

from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore

EVENT_CONFIRM_TIMEOUT_SECONDS = 10.0
"""How long the relay waits for the Prefect API to confirm a batch of events before it counts the send as failed."""
RELAY_BATCH = 50
"""Events the relay posts to the Prefect API in one request, at most."""
RELAY_BATCH_BYTES = 2_000_000
"""And at most this much event JSON in one request (past its first event)."""
RELAY_POLL_SECONDS = 1.0
"""How often the relay looks for events due again when no accepted delivery wakes it."""
RETRY_FIRST_SECONDS = 1.0
"""An event Prefect did not confirm is sent again after 1 s, then 2, 4, … s; the relay pauses 1 s after a failure."""
RETRY_MAX_SECONDS = 60.0
"""The longest wait between two sends of one event."""

LOGGER = logging.getLogger("agentic.webhook_gateway")
"""The gateway's logger: the relay's lines are the gateway's."""
T = TypeVar("T")


class EventNotConfirmed(Exception):
    """The Prefect API did not confirm a batch of events."""


async def send_events(client: PrefectClient, events_json: list[str]) -> None:
    """POST events (each as JSON) to the Prefect API in one request and wait for its answer; EventNotConfirmed unless
    it accepted them."""
    try:
        async with asyncio.timeout(EVENT_CONFIRM_TIMEOUT_SECONDS):
            response = await client.request("POST", "/events", content="[" + ",".join(events_json) + "]",
                                            headers={"content-type": "application/json"})
    except TimeoutError:
        raise EventNotConfirmed(f"no answer from the Prefect API in {EVENT_CONFIRM_TIMEOUT_SECONDS:g} s") from None
    except Exception as exc:
        raise EventNotConfirmed(f"the Prefect API could not be reached: {type(exc).__name__}: {exc}") from exc
    if not response.is_success:
        raise EventNotConfirmed(f"the Prefect API answered {response.status_code}: {response.text[:200]}")


def retry_delay(attempts: int) -> float:
    """How long an event waits for its next send after this many unconfirmed ones: 1, 2, 4 … s, at most 60 s."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** min(max(attempts - 1, 0), 30))


class OutboxRelay:
    """Hands the events of accepted deliveries (the store's outbox) to the Prefect API, and marks each sent once
    Prefect confirmed it; what Prefect did not confirm is sent again later."""

    def __init__(self, store: PipelineStore, client: PrefectClient, store_thread: ThreadPoolExecutor) -> None:
        self._store = store
        self._client = client
        self._store_thread = store_thread
        self._wake = asyncio.Event()
        self._failures = 0

    def wake(self) -> None:
        """A delivery was accepted: pass over the outbox now."""
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled: one pass at once (what a previous gateway accepted is sent now), then one whenever
        a delivery is accepted or RELAY_POLL_SECONDS pass; after a failed pass it pauses RETRY_FIRST_SECONDS."""
        while True:
            self._wake.clear()
            try:
                more = await self.relay_once()
            except Exception:  # the store did not answer: the events stay in the outbox, the relay tries again
                LOGGER.exception("the outbox relay could not read or update the store")
                self._failures += 1
                more = False
            if more:
                continue
            if self._failures:
                await asyncio.sleep(RETRY_FIRST_SECONDS)
            with suppress(TimeoutError):
                async with asyncio.timeout(RELAY_POLL_SECONDS):
                    await self._wake.wait()

    async def relay_once(self) -> bool:
        """Send the due events, oldest first, in one request; True when more may be due at once."""
        due = await self._in_store_thread(self._store.outbox, RELAY_BATCH)
        batch: list[tuple[str, str, int]] = []
        size = 0
        for delivery_id, event_json, attempts in due:
            if batch and size + len(event_json) > RELAY_BATCH_BYTES:
                break
            batch.append((delivery_id, event_json, attempts))
            size += len(event_json)
        if not batch:
            return False
        try:
            await send_events(self._client, [event_json for _, event_json, _ in batch])
        except EventNotConfirmed as exc:
            self._failures += 1
            now = utc_now()
            await self._in_store_thread(self._store.postpone_deliveries, {
                delivery_id: now + timedelta(seconds=retry_delay(attempts + 1)) for delivery_id, _, attempts in batch
            }, str(exc))
            LOGGER.warning("%d event(s) not confirmed (first delivery %s, its send %d): %s; sent again in %g s or "
                           "more", len(batch), batch[0][0], batch[0][2] + 1, exc, retry_delay(batch[0][2] + 1))
            return False
        await self._in_store_thread(self._store.mark_deliveries_sent, [delivery_id for delivery_id, _, _ in batch])
        waiting = 0
        if self._failures:
            waiting = await self._in_store_thread(self._store.outbox_due_now)
            LOGGER.info("Prefect confirmed events again after %d failed pass(es): the %d other waiting event(s) are "
                        "due now", self._failures, waiting)
            self._failures = 0
        return bool(waiting) or len(batch) < len(due) or len(due) == RELAY_BATCH

    async def _in_store_thread(self, call: Callable[..., T], *args: Any) -> T:
        """call(*args) in the store's thread (the one the deliveries are written from)."""
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call, *args)
