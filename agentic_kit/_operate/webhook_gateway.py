"""The webhook gateway: signed document deliveries in, `agentic.document.received` events out, through an outbox.

Verifies Standard Webhooks signatures (HMAC-SHA256 over "id.timestamp.body", base64, `v1,` prefix) with a timestamp
tolerance and refuses oversized and invalid bodies with clear 4xx answers. A valid delivery is written to the store,
its id with the event it emits (the event's id, resource and payload, as JSON), in one committed transaction, and only
then answered 202 with the event id: what the gateway acknowledges is on disk. The same delivery sent again, even at
the same moment, finds its id there and is answered 200 duplicate: its event is in the outbox, so it will be sent. A
delivery the store could not write is answered 503 (send it again).

The outbox relay (agentic_kit/_operate/outbox_relay.py), an asyncio task of the gateway's process started with the
app, hands the waiting events to the Prefect API and marks them sent only once Prefect confirmed them: nothing
acknowledged is lost and nothing is emitted twice.

Why the outbox: the gateway used to record the id, post the event, answer 202 once Prefect confirmed it, and forget
the id when Prefect did not (503). A second copy of a delivery arriving while the first waited for Prefect was
answered 200 duplicate, then the first one's 503 forgot the id: the sender had been told it arrived, and nothing was
emitted (any sender whose HTTP timeout is under the 10 s wait did exactly this). A gateway killed between the write
and Prefect's answer left an id that every retry was answered duplicate for, and no event. Now the answer waits for
the store's commit only, never for the Prefect server. A delivery is still one store write (a second write per
delivery halved the rate the gateway sustained); the relay marks a whole batch sent in one more. The
`on-document-received` deployment's trigger turns each event into a document-pipeline run.

Slow and idle senders are bounded (`agentic_kit/_operate/connection_limits.py`): idle connections are closed after
IDLE_SECONDS and capped per client, late headers close the connection, and a body that does not arrive within the
block's read timeout is answered 408.

Run it: `python -m agentic_kit._operate.webhook_gateway --port 8780` (or `make gateway`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from prefect.client.orchestration import get_client
from prefect.events import Event
from prefect.settings import PREFECT_API_URL
from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.webhook_gateway import WebhookGateway
from agentic_kit._domain.events import DOCUMENT_RECEIVED, DOCUMENT_RESOURCE_PREFIX
from agentic_kit._operate.connection_limits import IDLE_SECONDS, MAX_CONNECTIONS, connection_limits_protocol
from agentic_kit._operate.outbox_relay import OutboxRelay

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2b7e-4a8d-5e3f-9b0a-1d2c3e4f5a6b")
"""Event ids are uuid5(EVENT_ID_NAMESPACE, delivery id): one delivery, one event id, however often it is sent."""
MAX_HEADER_BYTES = 16 * 1024
"""Request headers larger than this are refused (400) by h11."""
LOGGER = logging.getLogger("agentic.webhook_gateway")
T = TypeVar("T")


class DocumentDelivery(BaseModel):
    """What a sender posts: one document, as its text or as a URL the pipeline fetches, and optionally a name."""

    text: str | None = Field(default=None, min_length=1)
    url: str | None = Field(default=None, min_length=1, max_length=2000, pattern=r"^https?://")
    source: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _text_or_url(self) -> DocumentDelivery:
        """One document: its text or its URL, not both and not neither."""
        if (self.text is None) == (self.url is None):
            raise ValueError("send either `text` (the document) or `url` (where the pipeline fetches it)")
        return self


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


def peer(request: Request) -> str:
    """The sender's address as host:port."""
    return f"{request.client.host}:{request.client.port}" if request.client else "an unknown sender"


async def read_limited(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The request body, refused with 413 as soon as it is longer than limit and with 408 when it is late."""
    declared = request.headers.get("content-length", "?")
    if int(request.headers.get("content-length") or 0) > limit:
        raise HTTPException(413, f"body over the limit of {limit:,} bytes")
    body = bytearray()
    try:
        async with asyncio.timeout(timeout_seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise HTTPException(413, f"body over the limit of {limit:,} bytes")
    except TimeoutError:
        LOGGER.warning("%s sent %d of %s body bytes in %g s: answered 408", peer(request), len(body), declared,
                       timeout_seconds)
        raise HTTPException(408, f"the body did not arrive within {timeout_seconds:g} s",
                            headers={"Connection": "close"}) from None
    except ClientDisconnect:
        LOGGER.warning("%s dropped the connection after %d of %s body bytes", peer(request), len(body), declared)
        raise HTTPException(400, "the sender closed the connection before the body arrived") from None
    return bytes(body)


def document_event(delivery_id: str, delivery: DocumentDelivery) -> Event:
    """The `agentic.document.received` event of one delivery."""
    return Event(
        id=uuid.uuid5(EVENT_ID_NAMESPACE, delivery_id),
        event=DOCUMENT_RECEIVED,
        resource={"prefect.resource.id": f"{DOCUMENT_RESOURCE_PREFIX}{delivery_id}"},
        payload={"texts": [delivery.text] if delivery.text is not None else [],
                 "sources": [delivery.source or f"webhook {delivery_id}"] if delivery.text is not None else [],
                 "urls": [delivery.url] if delivery.url is not None else [],
                 "delivery_id": delivery_id},
    )


def gateway_lifespan(store: PipelineStore) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: the store's one thread, one Prefect API client and the outbox relay."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """The store's one thread, as app.state.store_thread: SQLite lets one writer in at a time, and writers from a
        pool of threads that find it busy sleep up to 100 ms before they try again (p95 of a claim 100 ms with 6
        threads, 11 ms with one). One Prefect API client, and the outbox relay on it, as app.state.relay: started
        (it passes over the outbox at once) before the first request and cancelled after the last (what it had not
        sent stays in the outbox)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-store") as store_thread:
            app.state.store_thread = store_thread
            async with get_client() as client:
                app.state.relay = OutboxRelay(store, client, store_thread)
                relay = asyncio.create_task(app.state.relay.run(), name="gateway-outbox-relay")
                try:
                    yield
                finally:
                    relay.cancel()
                    with suppress(asyncio.CancelledError):
                        await relay

    return lifespan


async def in_store_thread(request: Request, call: Callable[..., T], *args: Any) -> T:
    """call(*args) in the store's thread."""
    return await asyncio.get_running_loop().run_in_executor(request.app.state.store_thread, call, *args)


def create_app(gateway: WebhookGateway, store: PipelineStore) -> FastAPI:
    """The gateway's ASGI app."""
    app = FastAPI(title="agentic webhook gateway", lifespan=gateway_lifespan(store))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/documents")
    async def receive(request: Request) -> JSONResponse:
        body = await read_limited(request, gateway.max_body_bytes, gateway.read_timeout_seconds)
        delivery_id = verify_signature(gateway, dict(request.headers), body)
        try:
            delivery = DocumentDelivery.model_validate_json(body)
        except ValidationError as exc:
            raise HTTPException(422, f"invalid payload: {exc.errors(include_url=False)}") from None
        event = document_event(delivery_id, delivery)
        try:
            if await in_store_thread(request, store.accept_delivery, delivery_id, str(event.id),
                                     event.model_dump_json()):
                request.app.state.relay.wake()
                return JSONResponse({"status": "accepted", "delivery_id": delivery_id, "event_id": str(event.id)},
                                    202)
            event_id = await in_store_thread(request, store.delivery_event, delivery_id)
        except SQLAlchemyError as exc:
            LOGGER.warning("delivery %s answered 503: the store did not record it: %s", delivery_id, exc)
            raise HTTPException(503, "the delivery could not be recorded, send again later") from None
        return JSONResponse({"status": "duplicate", "delivery_id": delivery_id, "event_id": event_id}, 200)

    return app


async def _load(gateway_block: str | None, store_block: str | None) -> tuple[WebhookGateway, PipelineStore]:
    """The saved blocks by name, or from the environment."""
    from agentic_kit._blocks.resolve import load_or_environment

    return (await load_or_environment(WebhookGateway, gateway_block),
            await load_or_environment(PipelineStore, store_block))


def log_config() -> dict[str, Any]:
    """uvicorn's logging setup, with the gateway's own logger on the same stderr handler."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"][LOGGER.name] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def server_config(gateway: WebhookGateway, store: PipelineStore, host: str, port: int) -> uvicorn.Config:
    """The uvicorn server for the gateway, with its limits on connections, idle connections, header size and read
    times."""
    return uvicorn.Config(
        create_app(gateway, store), host=host, port=port, log_level="info", log_config=log_config(),
        http=connection_limits_protocol(gateway.read_timeout_seconds), limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=IDLE_SECONDS, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )


def main() -> None:
    """Serve the gateway with uvicorn."""
    parser = argparse.ArgumentParser(description="Serve the signed-webhook gateway.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--gateway-block", help="a saved Webhook Gateway block (default: AGENTIC_WEBHOOK_SECRET)")
    parser.add_argument("--store-block", help="a saved Pipeline Store block (default: AGENTIC_DATABASE_URL)")
    args = parser.parse_args()
    if not PREFECT_API_URL.value():
        raise SystemExit("Set PREFECT_API_URL: the gateway sends each delivery's event to the Prefect API.")
    gateway, store = asyncio.run(_load(args.gateway_block, args.store_block))
    uvicorn.Server(server_config(gateway, store, args.host, args.port)).run()


if __name__ == "__main__":
    main()
