"""Tests for the demo enrichment service and the sample documents."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from agentic_kit.enrichment_service import DEFAULT_ENTITIES_DIR, EntityCatalog, create_app
from agentic_kit.testing.asgi import serve_asgi

DOCUMENTS_DIR = Path(__file__).resolve().parents[2] / "examples" / "documents"
TOKEN = "s3cret-token"


@contextmanager
def serving(app: FastAPI) -> Iterator[httpx.Client]:
    """A client for app served on a free 127.0.0.1 port."""
    with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def catalog() -> EntityCatalog:
    """The catalog shipped with the service."""
    return EntityCatalog.from_directory(DEFAULT_ENTITIES_DIR)


@pytest.fixture(scope="module")
def client(catalog: EntityCatalog) -> Iterator[httpx.Client]:
    """Client for a running service without a token."""
    with serving(create_app(catalog)) as client:
        yield client


@pytest.fixture(scope="module")
def secured(catalog: EntityCatalog) -> Iterator[httpx.Client]:
    """Client for a running service that requires TOKEN."""
    with serving(create_app(catalog, token=TOKEN)) as client:
        yield client


def test_known_entity_by_name(client: httpx.Client) -> None:
    """A canonical name is found with its facts."""
    body = client.post("/enrich", json={"name": "Northwind Traders Ltd", "type": "ORG"}).json()
    assert body["found"] is True
    assert (body["name"], body["type"]) == ("Northwind Traders Ltd", "ORG")
    assert body["canonical_name"] == "Northwind Traders Ltd"
    assert body["entity_type"] == "ORG"
    assert body["attributes"]["headquarters"] == "Bristol, United Kingdom"
    assert body["description"] and body["url"]


def test_known_entity_by_alias_ignores_case_and_spacing(client: httpx.Client) -> None:
    """Aliases match regardless of case and spacing; the request is echoed as asked."""
    response = client.post("/enrich", json={"name": "  brightwater   SYSTEMS "})
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["type"], body["found"]) == ("  brightwater   SYSTEMS ", None, True)
    assert body["canonical_name"] == "Brightwater Systems Inc."


def test_type_breaks_ties(catalog: EntityCatalog) -> None:
    """The type hint picks between entities sharing an alias but never excludes a match."""
    assert catalog.enrich("Halvorsen", "PERSON")["canonical_name"] == "Ingrid Halvorsen"
    assert catalog.enrich("halvorsen", "org")["canonical_name"] == "Halvorsen Analytics GmbH"
    assert catalog.enrich("Portland", "PERSON")["canonical_name"] == "Portland"


def test_unknown_entity_is_an_answer(client: httpx.Client) -> None:
    """An unknown entity is a 200 with found false."""
    response = client.post("/enrich", json={"name": "Meridian Capital Partners LLP", "type": "ORG"})
    assert response.status_code == 200
    assert response.json() == {"name": "Meridian Capital Partners LLP", "type": "ORG", "found": False}


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "   "}, {"type": "ORG"}, {"name": "x" * 201}])
def test_invalid_body_is_422(client: httpx.Client, body: dict[str, str]) -> None:
    """Missing, empty, blank or too long names are rejected with a readable 422."""
    response = client.post("/enrich", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid request body: name: ")


def test_malformed_json_is_422(client: httpx.Client) -> None:
    """A body that is not JSON gets a readable 422."""
    response = client.post("/enrich", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


def test_token_required(secured: httpx.Client) -> None:
    """With a token, only the right bearer token gets through."""
    body = {"name": "Amara Okafor"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = secured.post("/enrich", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "missing or wrong bearer token"}
    response = secured.post("/enrich", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json()["entity_type"] == "PERSON"


def test_health_counts_entities(client: httpx.Client, secured: httpx.Client) -> None:
    """Health reports the catalog size and needs no token."""
    expected = {"status": "ok", "entities": len(list(DEFAULT_ENTITIES_DIR.glob("*.json"))), "pid": os.getpid()}
    assert client.get("/health").json() == expected
    assert secured.get("/health").json() == expected


def test_sample_text_documents_decode_except_the_latin_one() -> None:
    """Every sample text document is UTF-8 except the deliberately cp1252 one (PDF and .docx are binary)."""
    files = sorted(p for p in DOCUMENTS_DIR.iterdir() if p.is_file() and p.suffix in {".txt", ".md", ".html"})
    assert len(files) >= 14
    for path in files:
        if path.name == "13-delivery-note-latin1.txt":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        else:
            assert path.read_bytes().decode("utf-8").strip(), path.name


def test_every_known_entity_appears_in_a_document() -> None:
    """Each catalog entity is mentioned in at least one sample document."""
    text = " ".join(p.read_bytes().decode("utf-8", "replace") for p in DOCUMENTS_DIR.iterdir())
    for path in DEFAULT_ENTITIES_DIR.glob("*.json"):
        entity = json.loads(path.read_text(encoding="utf-8"))
        assert any(n in text for n in [entity["name"], *entity["aliases"]]), entity["name"]
