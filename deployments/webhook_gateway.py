"""The webhook gateway: signed document deliveries in, `agentic.document.received` events out.

Verifies Standard Webhooks signatures (HMAC-SHA256 over "id.timestamp.body", base64, `v1,` prefix)
with a timestamp tolerance, refuses oversized and invalid bodies with clear 4xx answers, remembers
delivery ids in the store (the same delivery sent again, even at the same moment, starts nothing and
is answered 200), and answers 202 with the event id at once. The `on-document-received` deployment's
trigger turns each event into a document-pipeline run.

Run it: `python -m deployments.webhook_gateway --port 8780` (or `make gateway`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import time

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from prefect.events import emit_event
from pydantic import BaseModel, Field, ValidationError

from blocks.store import PipelineStore
from blocks.webhook_gateway import WebhookGateway
from domain.events import DOCUMENT_RECEIVED, DOCUMENT_RESOURCE_PREFIX

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class DocumentDelivery(BaseModel):
    """What a sender posts: one document's text and, optionally, a name for it."""

    text: str = Field(min_length=1)
    source: str | None = Field(default=None, max_length=500)


def verify_signature(gateway: WebhookGateway, headers: dict[str, str], body: bytes) -> str:
    """The delivery id of a correctly signed, fresh delivery; HTTPException (400/401) otherwise."""
    missing = [name for name in SIGNATURE_HEADERS if not headers.get(name)]
    if missing:
        raise HTTPException(400, f"missing signature headers: {', '.join(missing)}")
    delivery_id, timestamp, signatures = (headers[name] for name in SIGNATURE_HEADERS)
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise HTTPException(400, "webhook-timestamp must be seconds since the epoch") from None
    drift = time.time() - sent_at
    if abs(drift) > gateway.tolerance_seconds:
        when = "old" if drift > 0 else "far in the future"
        raise HTTPException(401, f"timestamp too {when} ({abs(drift):.0f} s, tolerance {gateway.tolerance_seconds} s)")
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(gateway.key(), signed, hashlib.sha256).digest())
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return delivery_id
    raise HTTPException(401, "no valid signature for this body")


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is longer than limit."""
    if int(request.headers.get("content-length") or 0) > limit:
        raise HTTPException(413, f"body over the limit of {limit:,} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"body over the limit of {limit:,} bytes")
    return bytes(body)


def create_app(gateway: WebhookGateway, store: PipelineStore) -> FastAPI:
    """The gateway's ASGI app."""
    app = FastAPI(title="agentic webhook gateway")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/documents")
    async def receive(request: Request) -> JSONResponse:
        body = await read_limited(request, gateway.max_body_bytes)
        delivery_id = verify_signature(gateway, dict(request.headers), body)
        try:
            delivery = DocumentDelivery.model_validate_json(body)
        except ValidationError as exc:
            raise HTTPException(422, f"invalid payload: {exc.errors(include_url=False)}") from None
        if not await asyncio.to_thread(store.claim_delivery, delivery_id):
            event_id = await asyncio.to_thread(store.delivery_event, delivery_id)
            return JSONResponse({"status": "duplicate", "delivery_id": delivery_id, "event_id": event_id}, 200)
        try:
            event = emit_event(
                event=DOCUMENT_RECEIVED,
                resource={"prefect.resource.id": f"{DOCUMENT_RESOURCE_PREFIX}{delivery_id}"},
                payload={"texts": [delivery.text], "sources": [delivery.source or f"webhook {delivery_id}"],
                         "delivery_id": delivery_id},
            )
            if event is None:
                raise RuntimeError("Prefect events are not configured (is PREFECT_API_URL set?)")
        except Exception as exc:
            await asyncio.to_thread(store.forget_delivery, delivery_id)
            raise HTTPException(503, f"could not emit the event, send again later: {exc}") from exc
        await asyncio.to_thread(store.delivery_event, delivery_id, str(event.id))
        return JSONResponse({"status": "accepted", "delivery_id": delivery_id, "event_id": str(event.id)}, 202)

    return app


async def _load(gateway_block: str | None, store_block: str | None) -> tuple[WebhookGateway, PipelineStore]:
    """The saved blocks by name, or from the environment."""
    from blocks.resolve import load_or_environment

    return (await load_or_environment(WebhookGateway, gateway_block),
            await load_or_environment(PipelineStore, store_block))


def main() -> None:
    """Serve the gateway with uvicorn."""
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the signed-webhook gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--gateway-block", help="a saved Webhook Gateway block (default: AGENTIC_WEBHOOK_SECRET)")
    parser.add_argument("--store-block", help="a saved Pipeline Store block (default: AGENTIC_DATABASE_URL)")
    args = parser.parse_args()
    gateway, store = asyncio.run(_load(args.gateway_block, args.store_block))
    uvicorn.run(create_app(gateway, store), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
