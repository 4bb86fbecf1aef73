"""Entity enrichment HTTP service.

Contract:
- POST /enrich with JSON {"name": str (1-200 chars, not blank), "type": str | null}
  -> 200 {"name", "type" (both as asked), "found": true, "canonical_name",
     "entity_type", "description", "url", "attributes": {str: str}} when the name
     or an alias matches (case-insensitive, whitespace-normalized; type breaks ties);
  -> 200 {"name", "type", "found": false} for an unknown entity (an answer, not an error);
  -> 422 {"detail": "invalid request body: <field>: <reason>"} for an invalid body.
- GET /health -> 200 {"status": "ok", "entities": N, "pid": P}; never needs a token (the pid tells a starter that
  the service answering is the one it started).
- With a token configured, every other request needs "Authorization: Bearer <token>",
  else 401 {"detail": "missing or wrong bearer token"}.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .catalog import EnrichRequest, EntityCatalog, describe_errors


def has_bearer_token(request: Request, token: str) -> bool:
    """Whether the request carries "Authorization: Bearer <token>"."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        credentials.strip().encode(), token.encode()
    )


def create_app(catalog: EntityCatalog, token: str | None = None) -> FastAPI:
    """Build the service around catalog; require token as a bearer token if given."""
    app = FastAPI(title="Entity enrichment service", version="1.0.0")

    if token:

        @app.middleware("http")
        async def require_token(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            """Reject requests other than /health that lack the bearer token."""
            if request.url.path == "/health" or has_bearer_token(request, token):
                return await call_next(request)
            return JSONResponse(
                {"detail": "missing or wrong bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        """Answer 422 with a one-line description of what is wrong."""
        return JSONResponse({"detail": describe_errors(exc.errors())}, status_code=422)

    @app.post("/enrich")
    async def enrich(body: EnrichRequest) -> dict[str, Any]:
        """Look up one entity."""
        return catalog.enrich(body.name, body.type)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness, catalog size and the serving process."""
        return {"status": "ok", "entities": len(catalog), "pid": os.getpid()}

    return app
