"""The signed-webhook gateway over real HTTP: what it accepts, what it refuses, and delivery ids seen once.

Senders sign with the `standardwebhooks` package (an implementation independent of ours).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from pydantic import SecretStr
from sqlmodel import Session, func, select
from standardwebhooks import Webhook

from blocks import LanguageModel, PipelineStore, WebhookGateway
from blocks.tables import WebhookDeliveryRow
from deployments.webhook_gateway import create_app
from domain.events import DOCUMENT_RECEIVED
from fault_servers.asgi import serve_asgi
from tests.conftest import wait_for_events
from tests.deployments.conftest import final_state, point_default_blocks

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
MAX_BODY = 4096


@pytest.fixture
def store(tmp_path: Path) -> PipelineStore:
    return PipelineStore(database_url=SecretStr(f"sqlite:///{tmp_path / 'gateway.db'}"))


@pytest.fixture
def gateway_url(store: PipelineStore) -> Iterator[str]:
    gateway = WebhookGateway(signing_secret=SecretStr(SECRET), tolerance_seconds=300, max_body_bytes=MAX_BODY)
    with serve_asgi(create_app(gateway, store)) as url:
        yield url


def signed(body: bytes, delivery_id: str | None = None, secret: str = SECRET,
           at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers for body, as a sender computes them."""
    delivery_id = delivery_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, at, body.decode()),
        "content-type": "application/json",
    }


def _deliveries(store: PipelineStore) -> int:
    with Session(store.engine()) as session:
        return session.exec(select(func.count()).select_from(WebhookDeliveryRow)).one()


def _body(text: str) -> bytes:
    return json.dumps({"text": text, "source": "crm"}).encode()


def test_health(gateway_url: str) -> None:
    assert httpx.get(f"{gateway_url}/health").json() == {"status": "ok"}


def test_forged_stale_tampered_and_oversized_deliveries_are_refused_and_start_nothing(
    gateway_url: str, store: PipelineStore
) -> None:
    body = _body("Amara Okafor joined Northwind Traders Ltd.")
    good = signed(body)
    now = datetime.now(UTC)
    cases = {
        "bad signature": (body, {**good, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}, 401),
        "wrong secret": (body, signed(body, secret="whsec_" + base64.b64encode(b"k" * 24).decode()), 401),
        "tampered body": (body.replace(b"Amara", b"Mallory"), good, 401),
        "stale timestamp": (body, signed(body, at=now - timedelta(minutes=10)), 401),
        "future timestamp": (body, signed(body, at=now + timedelta(minutes=10)), 401),
        "missing headers": (body, {"content-type": "application/json"}, 400),
        "oversized body": (_body("x" * MAX_BODY), signed(_body("x" * MAX_BODY)), 413),
        "invalid payload": (b'{"txt": 1}', signed(b'{"txt": 1}'), 422),
    }
    for case, (content, headers, status) in cases.items():
        response = httpx.post(f"{gateway_url}/documents", content=content, headers=headers)
        assert response.status_code == status, f"{case}: {response.status_code} {response.text}"
        assert response.json()["detail"], f"{case}: the answer says why"
    assert _deliveries(store) == 0, "no refused delivery was recorded or emitted"


async def _flow_runs_for(text: str) -> list:  # type: ignore[type-arg]
    """Flow runs of the event-triggered deployment whose inline text is this one."""
    async with get_client() as client:
        runs = await client.read_flow_runs(deployment_filter=DeploymentFilter(
            name=DeploymentFilterName(any_=["on-document-received"])))
    return [run for run in runs if run.parameters.get("texts") == [text]]


async def test_a_signed_delivery_sent_ten_times_starts_exactly_one_run_that_completes(
    worker: None, gateway_url: str, store: PipelineStore, tmp_path: Path
) -> None:
    await point_default_blocks(LanguageModel(), None, tmp_path / "pipeline.db")
    text = f"Delivery {uuid.uuid4().hex}: Ingrid Halvorsen visited Hamburg for Halvorsen Analytics GmbH."
    body = _body(text)
    headers = signed(body)

    async with httpx.AsyncClient(base_url=gateway_url) as client:
        concurrent = await asyncio.gather(*(client.post("/documents", content=body, headers=headers) for _ in range(5)))
        sequential = [await client.post("/documents", content=body, headers=headers) for _ in range(5)]
    answers = [r.status_code for r in [*concurrent, *sequential]]
    print(f"deliveries=10 (5 at once) answers={sorted(answers)}")
    assert all(200 <= status < 300 for status in answers)
    assert answers.count(202) == 1, "one copy accepted, the other nine answered as duplicates"
    event_id = next(r.json()["event_id"] for r in [*concurrent, *sequential] if r.status_code == 202)
    assert _deliveries(store) == 1

    events = [e for e in await wait_for_events(DOCUMENT_RECEIVED, at_least=1)
              if e.payload.get("delivery_id") == headers["webhook-id"]]
    assert [str(e.id) for e in events] == [event_id]
    for _ in range(60):
        runs = await _flow_runs_for(text)
        if runs:
            break
        await asyncio.sleep(1)
    assert len(runs) == 1, "exactly one flow run for the delivery"
    assert await final_state(runs[0].id) == "Completed"
    await asyncio.sleep(3)
    assert len(await _flow_runs_for(text)) == 1, "and no second one later"
