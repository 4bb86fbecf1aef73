"""The Prefect API is the trust boundary: the session's server runs with PREFECT_API_AUTH_STRING set (tests/conftest),
so every test (`make run`'s program, workers, the gateway, the chaos run) works with API auth on; here, a call
without it is refused, and a gateway without it cannot deliver."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import API_AUTH, API_URL
from tests.support.gateway_process import gateway_process
from tests.support.webhooks import SECRET, signed


def test_an_unauthenticated_call_is_refused_and_an_authenticated_one_answered() -> None:
    assert httpx.get(f"{API_URL}/health").status_code == 200, "health stays open for probes"
    assert httpx.post(f"{API_URL}/flows/filter", json={}).status_code == 401
    assert httpx.post(f"{API_URL}/flows/filter", json={}, auth=("agentic", "wrong")).status_code == 401
    assert httpx.post(f"{API_URL}/flows/filter", json={}, auth=tuple(API_AUTH.split(":"))).status_code == 200


def test_a_gateway_without_the_auth_string_cannot_deliver_and_says_503(tmp_path: Path) -> None:
    body = json.dumps({"text": "Ada Lovelace wrote to Charles Babbage.", "source": "auth.txt"}).encode()
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
           "PREFECT_API_AUTH_STRING": ""}
    with gateway_process(tmp_path, env) as gateway:
        answer = httpx.post(f"{gateway.url}/documents", content=body, headers=signed(body), timeout=60)
    assert answer.status_code == 503, answer.text
    assert "send again" in answer.json()["detail"]
