"""The webhook gateway's outbox over real HTTP and a real Prefect server: nothing acknowledged is lost and nothing
emitted twice, while Prefect is down, while it hangs, and when the gateway is killed before Prefect confirmed.

Senders sign with the `standardwebhooks` package (an implementation independent of ours).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prefect import get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
from sqlmodel import Session

from agentic_kit import LanguageModel, PipelineStore
from agentic_kit._blocks.tables import WebhookDeliveryRow
from agentic_kit._domain.events import DOCUMENT_RECEIVED, DOCUMENT_RESOURCE_PREFIX
from agentic_kit._operate.outbox_relay import EVENT_CONFIRM_TIMEOUT_SECONDS
from tests.conftest import API_URL, free_port, wait_until
from tests.deployments.conftest import point_default_blocks
from tests.support.gateway_deliveries import delivery_body, delivery_count, flow_runs_for, gateway_store
from tests.support.gateway_process import gateway_process
from tests.support.held_api import HeldApi
from tests.support.webhooks import SECRET, signed

pytestmark = pytest.mark.e2e

EVENT_WAIT_SECONDS = 30


@pytest.fixture
def store(tmp_path: Path) -> PipelineStore:
    return gateway_store(tmp_path)


async def _document_events(delivery_id: str, timeout: float = EVENT_WAIT_SECONDS) -> list:  # type: ignore[type-arg]
    """The `agentic.document.received` events of one delivery stored by the Prefect server, polled until one is."""
    event_filter = EventFilter(event=EventNameFilter(name=[DOCUMENT_RECEIVED]),
                               resource=EventResourceFilter(id=[f"{DOCUMENT_RESOURCE_PREFIX}{delivery_id}"]))
    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while True:
            page = await client.read_events(filter=event_filter, limit=50)
            if page.events or time.monotonic() > deadline:
                return list(page.events)
            await asyncio.sleep(0.5)


def _delivery_row(store: PipelineStore, delivery_id: str) -> WebhookDeliveryRow | None:
    with Session(store.engine()) as session:
        return session.get(WebhookDeliveryRow, delivery_id)


def _sent(store: PipelineStore, delivery_id: str) -> bool:
    """Whether the relay marked the delivery's event sent (Prefect confirmed it)."""
    row = _delivery_row(store, delivery_id)
    return row is not None and row.sent_at is not None


async def test_a_delivery_accepted_while_prefect_is_down_waits_in_the_outbox_and_is_sent_once_it_is_back(
    tmp_path: Path, store: PipelineStore
) -> None:
    """Prefect down (nothing listens at its URL): the delivery is answered 202 and its copy 200 duplicate, its event
    waits in the outbox (sends counted, the error kept); the gateway started again with Prefect up sends it: one event,
    with the id the 202 named."""
    body = delivery_body(
        f"Delivery {uuid.uuid4().hex}: Farida Haddad opened the Tunis office of Haddad Logistics SARL.")
    headers = signed(body)
    delivery_id = headers["webhook-id"]
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": store.database_url.get_secret_value()}

    closed_api = f"http://127.0.0.1:{free_port()}/api"
    with gateway_process(tmp_path / "down", {**env, "PREFECT_API_URL": closed_api}) as down:
        async with httpx.AsyncClient(base_url=down.url, timeout=60) as client:
            answers = [await client.post("/documents", content=body, headers=headers) for _ in range(2)]
        wait_until(lambda: (_delivery_row(store, delivery_id) or WebhookDeliveryRow(delivery_id="")).attempts >= 2,
                   timeout=30, what="two unconfirmed sends of the event")
    assert [r.status_code for r in answers] == [202, 200], [r.text for r in answers]
    assert answers[1].json()["status"] == "duplicate", answers[1].text
    event_id = answers[0].json()["event_id"]
    assert answers[1].json()["event_id"] == event_id
    waiting = _delivery_row(store, delivery_id)
    assert waiting is not None and waiting.sent_at is None and waiting.event_json, "the event waits in the outbox"
    assert "could not be reached" in (waiting.last_error or ""), waiting.last_error
    assert await _document_events(delivery_id, timeout=0) == []

    with gateway_process(tmp_path / "up", {**env, "PREFECT_API_URL": API_URL}) as up:
        wait_until(lambda: _sent(store, delivery_id), timeout=EVENT_WAIT_SECONDS, what="the event sent on start")
        async with httpx.AsyncClient(base_url=up.url, timeout=60) as client:
            duplicate = await client.post("/documents", content=body, headers=headers)
    assert duplicate.status_code == 200 and duplicate.json()["event_id"] == event_id, duplicate.text
    assert delivery_count(store) == 1

    events = await _document_events(delivery_id)
    assert [str(e.id) for e in events] == [event_id], "the accepted delivery's event reached Prefect"
    assert events[0].payload["texts"] == [json.loads(body)["text"]]
    await asyncio.sleep(2)
    assert len(await _document_events(delivery_id)) == 1, "and only once"
    print(f"deliveries=3 answers={[r.status_code for r in [*answers, duplicate]]} unconfirmed sends while Prefect "
          f"was down={waiting.attempts} events={len(events)}")


async def test_a_copy_sent_while_prefect_hangs_is_answered_duplicate_and_the_delivery_runs_once(
    worker: None, tmp_path: Path, store: PipelineStore
) -> None:
    """Prefect hangs (a stand-in API holds every request): the delivery is answered 202 at once and its second copy
    200 duplicate; the relay's send gets no answer in 10 s and is sent again a second later, held too. Once Prefect
    answers, both held sends reach it, and there is one event and one flow run. (Before the outbox: the first copy
    waited 10 s for a 503, the second was answered 200 duplicate, the id was forgotten: 0 events, 0 runs.)"""
    await point_default_blocks(LanguageModel(), None, tmp_path / "pipeline.db")
    text = f"Delivery {uuid.uuid4().hex}: Keiko Tanaka signed for Tanaka Precision KK in Osaka."
    body = delivery_body(text)
    headers = signed(body)
    delivery_id = headers["webhook-id"]
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": store.database_url.get_secret_value()}
    held = HeldApi(API_URL)
    with held.serving() as held_url, gateway_process(tmp_path, {**env, "PREFECT_API_URL": held_url}) as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=5) as client:
            sent_at = time.monotonic()
            copies = [await client.post("/documents", content=body, headers=headers) for _ in range(2)]
            answered_in = time.monotonic() - sent_at
        wait_until(lambda: held.count("POST /api/events") >= 2, timeout=EVENT_CONFIRM_TIMEOUT_SECONDS + 15,
                   what="the relay's send and its second send after no answer")
        events_while_hung = await _document_events(delivery_id, timeout=0)
        pending = _delivery_row(store, delivery_id)
        held.release()
        wait_until(lambda: _sent(store, delivery_id), timeout=EVENT_WAIT_SECONDS, what="Prefect's confirmation")
        sends = held.count("POST /api/events")
    print(f"copies=2 answers={[r.status_code for r in copies]} in {answered_in:.2f} s; sends while Prefect hung="
          f"{sends} (answers once released: {held.forwarded})")
    assert [r.status_code for r in copies] == [202, 200], [r.text for r in copies]
    assert copies[1].json()["status"] == "duplicate"
    assert answered_in < 2.0, f"both copies were answered in {answered_in:.2f} s, without waiting for Prefect"
    assert events_while_hung == [], "nothing reached Prefect while it hung"
    assert pending is not None and pending.attempts >= 1 and "no answer" in (pending.last_error or ""), pending

    event_id = copies[0].json()["event_id"]
    events = await _document_events(delivery_id)
    assert [str(e.id) for e in events] == [event_id], f"{sends} sends of the event, one event"
    for _ in range(60):
        runs = await flow_runs_for(text)
        if runs:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)
    runs = await flow_runs_for(text)
    assert len(runs) == 1, f"{sends} sends of the event, {len(runs)} flow runs: exactly one"
    assert [str(e.id) for e in await _document_events(delivery_id)] == [event_id], "and still one event"


async def test_a_delivery_accepted_by_a_gateway_killed_before_prefect_confirmed_it_is_sent_once_after_restart(
    tmp_path: Path, store: PipelineStore
) -> None:
    """The gateway answers 202, its relay's send waits for a hanging Prefect, and the gateway is SIGKILLed; the held
    send is never forwarded. Started again, the gateway sends the event on its own: one event, and a retry of the
    delivery is answered 200 duplicate. (Before the outbox: no 202 without Prefect's answer, and a gateway killed
    after recording the id answered every retry duplicate with 0 events.)"""
    body = delivery_body(f"Delivery {uuid.uuid4().hex}: Oluwaseun Adeyemi audited Lagos Freight Ltd.")
    headers = signed(body)
    delivery_id = headers["webhook-id"]
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": store.database_url.get_secret_value()}
    held = HeldApi(API_URL)
    with held.serving() as held_url, gateway_process(tmp_path / "killed", {**env, "PREFECT_API_URL": held_url}) as killed:
        async with httpx.AsyncClient(base_url=killed.url, timeout=5) as client:
            accepted = await client.post("/documents", content=body, headers=headers)
        wait_until(lambda: held.count("POST /api/events") >= 1, timeout=10, what="the relay's send")
        os.kill(killed.pid, signal.SIGKILL)
        wait_until(lambda: _refuses_connections(killed.port), timeout=10, what="the killed gateway to be gone")
    assert accepted.status_code == 202, accepted.text
    assert held.forwarded == [], "the send the killed gateway made never reached Prefect"
    assert not _sent(store, delivery_id)
    assert await _document_events(delivery_id, timeout=0) == []

    with gateway_process(tmp_path / "restarted", {**env, "PREFECT_API_URL": API_URL}) as restarted:
        wait_until(lambda: _sent(store, delivery_id), timeout=EVENT_WAIT_SECONDS, what="the event sent on restart")
        async with httpx.AsyncClient(base_url=restarted.url, timeout=5) as client:
            retry = await client.post("/documents", content=body, headers=headers)
    events = await _document_events(delivery_id)
    await asyncio.sleep(2)
    again = await _document_events(delivery_id)
    print(f"answers={[accepted.status_code, retry.status_code]} events after restart={len(events)} then {len(again)}")
    assert retry.status_code == 200 and retry.json()["status"] == "duplicate", retry.text
    assert [str(e.id) for e in again] == [accepted.json()["event_id"]], "the event arrived exactly once"


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


