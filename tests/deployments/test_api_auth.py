"""The Prefect API is the trust boundary: the session's server runs with PREFECT_API_AUTH_STRING set (tests/conftest),
so every test (`make run`'s program, workers, the gateway, the chaos run) works with API auth on; here, a call
without it is refused, and a gateway without it cannot deliver: what it accepted waits in its outbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlmodel import Session

from agentic_kit import PipelineStore
from agentic_kit._blocks.tables import WebhookDeliveryRow
from tests.conftest import API_AUTH, API_URL, wait_until
from tests.support.gateway_process import gateway_process
from tests.support.webhooks import SECRET, signed


def test_an_unauthenticated_call_is_refused_and_an_authenticated_one_answered() -> None:
    assert httpx.get(f"{API_URL}/health").status_code == 200, "health stays open for probes"
    assert httpx.post(f"{API_URL}/flows/filter", json={}).status_code == 401
    assert httpx.post(f"{API_URL}/flows/filter", json={}, auth=("agentic", "wrong")).status_code == 401
    assert httpx.post(f"{API_URL}/flows/filter", json={}, auth=tuple(API_AUTH.split(":"))).status_code == 200


def test_a_gateway_without_the_auth_string_cannot_deliver_and_keeps_the_event_in_its_outbox(tmp_path: Path) -> None:
    body = json.dumps({"text": "Ada Lovelace wrote to Charles Babbage.", "source": "auth.txt"}).encode()
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": database_url, "PREFECT_API_AUTH_STRING": ""}
    headers = signed(body)
    store = PipelineStore(database_url=SecretStr(database_url))

    def row() -> WebhookDeliveryRow | None:
        with Session(store.engine()) as session:
            return session.get(WebhookDeliveryRow, headers["webhook-id"])

    with gateway_process(tmp_path, env) as gateway:
        answer = httpx.post(f"{gateway.url}/documents", content=body, headers=headers, timeout=60)
        wait_until(lambda: (row() or WebhookDeliveryRow(delivery_id="")).attempts >= 1, timeout=30,
                   what="the relay's refused send")
    assert answer.status_code == 202, answer.text
    waiting = row()
    assert waiting is not None and waiting.sent_at is None and waiting.event_json, "the event waits in the outbox"
    assert "401" in (waiting.last_error or ""), waiting.last_error
