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

Slow and idle senders are bounded: a connection must send its request line within IDLE_SECONDS of opening or of its
last answer; a client address holds at most IDLE_CONNECTIONS_PER_CLIENT idle connections (another one closes its
longest idle), and a connection that would reach MAX_CONNECTIONS closes the longest idle one of all, so connections
doing nothing never make a request get uvicorn's 503 past MAX_CONNECTIONS (520 idle connections once had signed
deliveries answered 503 until the 10 s header timeout closed them). Headers and then the body must each arrive within
the block's read timeout (a late body is answered 408, late headers close the connection), and a sender that drops or
times out costs one log line, not a traceback.

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
from uvicorn.protocols.http.h11_impl import H11Protocol

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.webhook_gateway import WebhookGateway
from agentic_kit._domain.events import DOCUMENT_RECEIVED, DOCUMENT_RESOURCE_PREFIX
from agentic_kit._operate.outbox_relay import OutboxRelay

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
EVENT_ID_NAMESPACE = uuid.UUID("6f1c2b7e-4a8d-5e3f-9b0a-1d2c3e4f5a6b")
"""Event ids are uuid5(EVENT_ID_NAMESPACE, delivery id): one delivery, one event id, however often it is sent."""
MAX_CONNECTIONS = 500
"""Open connections (or requests in progress) past which uvicorn answers 503."""
IDLE_SECONDS = 2
"""A connection that sends no request line within this long, after it opened or after its last answer, is closed
(uvicorn's keep-alive timeout is the same)."""
IDLE_CONNECTIONS_PER_CLIENT = 64
"""Idle connections (waiting for their request line) one client address may hold: another one closes its longest
idle, so one sender cannot fill MAX_CONNECTIONS (wrk's 40 kept-alive connections in `make bench` stay under it)."""
EVICTION_GRACE_SECONDS = 0.5
"""A connection idle for less than this is not closed for its client's idle limit: in a burst of new connections
the gateway accepts them before it reads what they sent, so a fresh one may already hold its request."""
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


def connection_limits_protocol(read_timeout_seconds: float, idle_seconds: float = IDLE_SECONDS,
                               idle_per_client: int = IDLE_CONNECTIONS_PER_CLIENT,
                               max_connections: int = MAX_CONNECTIONS) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection that sends no request line within idle_seconds or no complete
    request headers within read_timeout_seconds; and a client's longest idle connection past idle_per_client, and the
    longest idle one of all when a new one would reach max_connections (uvicorn's limit_concurrency, which answers 503
    past it), so that connections doing nothing never make a request wait."""
    idle_by_client: dict[str, dict[LimitedProtocol, None]] = {}
    idle_all: dict[LimitedProtocol, None] = {}  # longest idle first: a dict keeps its insertion order
    evicted = 0
    checks_due: set[str] = set()  # clients whose limit is checked again when a grace ends

    def evict(connection: LimitedProtocol, why: str) -> None:
        """Close an idle connection to make room; log the 1st, 10th, 100th … one."""
        nonlocal evicted
        connection._leave_idle()
        connection.transport.close()
        evicted += 1
        if str(evicted).rstrip("0") == "1":
            LOGGER.warning("closed the longest idle connection of %s: %s (%d closed so far)",
                           connection.client[0] if connection.client else "an unknown sender", why, evicted)

    def enforce_client_limit(client: str) -> None:
        """Close the client's longest idle connections past idle_per_client, once each has been idle for the grace;
        check again when the next one's grace ends."""
        idle = idle_by_client.get(client, {})
        while len(idle) > idle_per_client:
            longest = next(iter(idle))
            wait = EVICTION_GRACE_SECONDS - longest._idle_for()
            if wait > 0:
                if client not in checks_due:
                    checks_due.add(client)
                    longest.loop.call_later(wait, check_again, client)
                return
            evict(longest, f"over {idle_per_client} idle connections from one client")

    def check_again(client: str) -> None:
        checks_due.discard(client)
        enforce_client_limit(client)

    class LimitedProtocol(H11Protocol):
        """Arms two timers when a connection opens and after each response (its request line is due within
        idle_seconds, its headers within read_timeout_seconds) and counts it among the idle connections until its
        next bytes arrive."""

        _header_timer: asyncio.TimerHandle | None = None
        _idle_timer: asyncio.TimerHandle | None = None
        _idle_client: str | None = None
        _idle_since: float = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            """A new connection: it waits for its first request."""
            super().connection_made(transport)
            self._await_request()

        def data_received(self, data: bytes) -> None:
            """Bytes of a request: the connection is no longer idle."""
            self._leave_idle()
            super().data_received(data)

        def on_response_complete(self) -> None:
            """A response went out: the connection waits for its next request."""
            super().on_response_complete()
            self._await_request()

        def connection_lost(self, exc: Exception | None) -> None:
            """The connection ended: no timer is needed any more, and it is idle no longer."""
            for timer in (self._header_timer, self._idle_timer):
                if timer is not None:
                    timer.cancel()
            self._leave_idle()
            super().connection_lost(exc)

        def _await_request(self) -> None:
            """Start (again) the waits for the next request's line and headers; count the connection as idle."""
            for timer in (self._header_timer, self._idle_timer):
                if timer is not None:
                    timer.cancel()
            self._idle_timer = self.loop.call_later(idle_seconds, self._request_line_overdue, self.cycle)
            self._header_timer = self.loop.call_later(read_timeout_seconds, self._headers_overdue, self.cycle)
            self._enter_idle()

        def _enter_idle(self) -> None:
            """Count the connection among the idle ones; close its client's longest idle one past idle_per_client,
            and the longest idle ones of all while max_connections are open."""
            if self.transport.is_closing():
                return
            client = self.client[0] if self.client else ""
            idle = idle_by_client.setdefault(client, {})
            idle[self] = idle_all[self] = None
            self._idle_client = client
            self._idle_since = self.loop.time()
            enforce_client_limit(client)
            if len(self.connections) < max_connections:
                return
            still_open = sum(not connection.transport.is_closing() for connection in self.connections)
            while still_open >= max_connections and next(iter(idle_all)) is not self:
                evict(next(iter(idle_all)), f"{max_connections} connections open")
                still_open -= 1

        def _idle_for(self) -> float:
            """Seconds since the connection became idle."""
            return self.loop.time() - self._idle_since

        def _leave_idle(self) -> None:
            """The connection is idle no longer (its client's, and of all)."""
            if self._idle_client is None:
                return
            idle = idle_by_client.get(self._idle_client, {})
            idle.pop(self, None)
            if not idle:
                idle_by_client.pop(self._idle_client, None)
            idle_all.pop(self, None)
            self._idle_client = None

        def _waiting_since(self, cycle: Any) -> bool:
            """Whether the connection is still waiting for the request it waited for when cycle was current."""
            if self.cycle is not cycle or (cycle is not None and not cycle.response_complete):
                return False
            return not self.transport.is_closing()

        def _request_line_overdue(self, cycle: Any) -> None:
            """Close the connection if no request line arrived since the timer was armed (any bytes are logged)."""
            if not self._waiting_since(cycle):
                return
            pending = self.conn.trailing_data[0]
            if b"\n" in pending:
                return
            if pending:
                LOGGER.warning("%s sent no request line in %g s (%d bytes): connection closed", self._sender(),
                               idle_seconds, len(pending))
            self._leave_idle()
            self.transport.close()

        def _headers_overdue(self, cycle: Any) -> None:
            """Close the connection if no request started since the timer was armed (a partial one is logged)."""
            if not self._waiting_since(cycle):
                return
            pending = len(self.conn.trailing_data[0])
            if pending:
                LOGGER.warning("%s sent no complete request headers in %g s (%d bytes): connection closed",
                               self._sender(), read_timeout_seconds, pending)
            self._leave_idle()
            self.transport.close()

        def _sender(self) -> str:
            """The sender's address as host:port."""
            return f"{self.client[0]}:{self.client[1]:d}" if self.client else "an unknown sender"

    return LimitedProtocol


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
