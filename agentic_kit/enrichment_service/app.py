"""Entity enrichment HTTP service.

Contract:
- POST /enrich with JSON {"name": str (1-200 chars, not blank), "type": str | null}
  -> 200 {"name", "type" (both as asked), "found": true, "canonical_name",
     "entity_type", "description", "url", "attributes": {str: str}} when the name
     or an alias matches (case-insensitive, whitespace-normalized; type breaks ties);
  -> 200 {"name", "type", "found": false} for an unknown entity (an answer, not an error);
  -> 422 {"detail": "invalid request body: <field>: <reason>"} for an invalid body.
- POST /refunds with JSON {"order_id": str, "amount_usd": number, "reason": str} and an "Idempotency-Key" header
  -> 200 {"refund_id", "order_id", "amount_usd", "status": "issued", "repeated": bool}: a key seen before answers
  its first refund again (repeated: true) and issues nothing; no key -> 400. GET /refunds -> 200 {"refunds": [...],
  "requests_by_key": {key: N}}: what was issued, and how often each key was sent (the support example's refunds).
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
from pydantic import BaseModel, Field

from .catalog import EnrichRequest, EntityCatalog, describe_errors


class RefundRequest(BaseModel):
    """Body of POST /refunds."""

    order_id: str = Field(min_length=1, max_length=50)
    amount_usd: float = Field(gt=0)
    reason: str = Field(default="", max_length=2000)


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

    refunds: dict[str, dict[str, Any]] = {}
    requests_by_key: dict[str, int] = {}

    @app.post("/refunds")
    async def refund(body: RefundRequest, request: Request) -> JSONResponse:
        """Issue a refund once per idempotency key."""
        key = request.headers.get("idempotency-key")
        if not key:
            return JSONResponse({"detail": "an Idempotency-Key header is required"}, status_code=400)
        requests_by_key[key] = requests_by_key.get(key, 0) + 1
        repeated = key in refunds
        if not repeated:
            refunds[key] = {"refund_id": f"R-{len(refunds) + 1:04d}", "order_id": body.order_id,
                            "amount_usd": body.amount_usd, "status": "issued"}
        return JSONResponse({**refunds[key], "repeated": repeated})

    @app.get("/refunds")
    async def issued_refunds() -> dict[str, Any]:
        """Every refund issued, and how often each idempotency key was sent."""
        return {"refunds": list(refunds.values()), "requests_by_key": requests_by_key}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        """Liveness, catalog size and the serving process."""
        return {"status": "ok", "entities": len(catalog), "pid": os.getpid()}

    return app
