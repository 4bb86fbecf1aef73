"""Stub of the entity enrichment service (POST /enrich) over the shared EntityCatalog."""

from __future__ import annotations

import secrets
from email.message import Message
from typing import Any

from pydantic import ValidationError

from agentic_kit.enrichment_service import DEFAULT_ENTITIES_DIR, EnrichRequest, EntityCatalog
from agentic_kit.enrichment_service.catalog import describe_errors

from .stub_http import StubServer


class EnrichmentServer(StubServer):
    """Same contract as examples/enrichment_service, with fault injection and a request log."""

    fault_paths = frozenset({"/enrich"})

    def __init__(self, catalog: EntityCatalog | None = None, token: str | None = None) -> None:
        super().__init__()
        self.catalog = catalog or EntityCatalog.from_directory(DEFAULT_ENTITIES_DIR)
        self.token = token

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        return "enrich"

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """A FastAPI-style error body."""
        return {"detail": message}

    def respond(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Message
    ) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/health":
            return 200, {"status": "ok", "entities": len(self.catalog)}
        if self.token and not self._authorised(headers):
            return 401, {"detail": "missing or wrong bearer token"}
        if method != "POST" or path != "/enrich":
            return 404, {"detail": "Not Found"}
        try:
            request = EnrichRequest.model_validate(body)
        except ValidationError as exc:
            return 422, {"detail": describe_errors(exc.errors())}
        return 200, self.catalog.enrich(request.name, request.type)

    def _authorised(self, headers: Message) -> bool:
        """Whether the request carries "Authorization: Bearer <token>"."""
        scheme, _, credentials = (headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(
            credentials.strip().encode(), (self.token or "").encode()
        )
