"""httpx against EnrichmentServer: the /enrich contract, bearer auth and injected faults."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from agentic_kit.enrichment_service.catalog import EntityCatalog, KnownEntity
from agentic_kit.testing.enrichment_server import EnrichmentServer
from agentic_kit.testing.faults import Fault

TOKEN = "s3cret"


@pytest.fixture
def server() -> Iterator[EnrichmentServer]:
    with EnrichmentServer(token=TOKEN) as srv:
        yield srv


@pytest.fixture
def http(server: EnrichmentServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
        yield client


def test_found_and_not_found(server: EnrichmentServer, http: httpx.Client) -> None:
    found = http.post("/enrich", json={"name": "bristol", "type": "LOCATION"})
    assert found.status_code == 200
    assert found.json()["found"] is True and found.json()["canonical_name"] == "Bristol"
    missing = http.post("/enrich", json={"name": "Nowhere Ltd", "type": None})
    assert missing.json() == {"name": "Nowhere Ltd", "type": None, "found": False}
    assert server.log.count(outcome="ok", key="enrich") == 2


def test_invalid_body_is_422(server: EnrichmentServer, http: httpx.Client) -> None:
    blank = http.post("/enrich", json={"name": "   "})
    assert blank.status_code == 422 and "name" in blank.json()["detail"]
    broken = http.post("/enrich", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["detail"].startswith("invalid request body")
    assert [r.outcome for r in server.log.records] == ["error", "error"]


def test_bearer_token_is_required_except_for_health(server: EnrichmentServer) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        health = anonymous.get("/health")
        assert health.json() == {"status": "ok", "entities": len(server.catalog)}
        assert anonymous.post("/enrich", json={"name": "Bristol"}).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        denied = anonymous.post("/enrich", json={"name": "Bristol"}, headers=wrong)
        assert denied.status_code == 401 and denied.json() == {"detail": "missing or wrong bearer token"}


def test_custom_catalog_without_token() -> None:
    catalog = EntityCatalog([KnownEntity(name="Orion Labs", type="ORG", aliases=["Orion"])])
    with EnrichmentServer(catalog) as srv:
        reply = httpx.post(srv.url + "/enrich", json={"name": "orion"})
    assert reply.json()["canonical_name"] == "Orion Labs"


def test_drop_closes_the_connection(server: EnrichmentServer, http: httpx.Client) -> None:
    server.faults.push(Fault.DROP)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/enrich", json={"name": "Bristol"})
    assert http.post("/enrich", json={"name": "Bristol"}).status_code == 200
    assert server.log.faults_by_kind() == {"drop": 1}


def test_status_and_garbage_faults(server: EnrichmentServer, http: httpx.Client) -> None:
    server.faults.push(Fault.RATE_LIMIT)
    server.faults.push(Fault.SERVER_ERROR)
    server.faults.push(Fault.GARBAGE)
    limited = http.post("/enrich", json={"name": "Bristol"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert "detail" in limited.json()
    assert http.post("/enrich", json={"name": "Bristol"}).status_code == 500
    garbage = http.post("/enrich", json={"name": "Bristol"})
    assert garbage.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        garbage.json()
    assert server.log.faults_by_kind() == {"rate_limit": 1, "server_error": 1, "garbage": 1}
