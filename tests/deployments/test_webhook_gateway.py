"""The signed-webhook gateway over real HTTP: what it accepts, what it refuses, delivery ids seen once, and its
limits on slow and idle connections (its outbox: test_webhook_outbox.py).

Senders sign with the `standardwebhooks` package (an implementation independent of ours).
"""

from __future__ import annotations

import asyncio
import base64
import selectors
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from agentic_kit import LanguageModel, PipelineStore, WebhookGateway
from agentic_kit._domain.events import DOCUMENT_RECEIVED
from agentic_kit._operate.connection_limits import IDLE_CONNECTIONS_PER_CLIENT, IDLE_SECONDS
from agentic_kit._operate.webhook_gateway import DocumentDelivery, create_app, document_event
from agentic_kit.testing.asgi import serve_asgi
from tests.conftest import wait_for_events
from tests.deployments.conftest import final_state, point_default_blocks
from tests.support.gateway_deliveries import delivery_body, delivery_count, flow_runs_for, gateway_store
from tests.support.gateway_process import gateway_process
from tests.support.webhooks import SECRET, signed

MAX_BODY = 4096
READ_TIMEOUT_SECONDS = 3.0
"""The read timeout of the slow-senders test's gateway: short, but long enough to open every socket first."""
SLOW_SENDERS = 200
DROPPING_SENDERS = 20
SLOW_HEADER_SENDERS = 10
DECLARED_BODY_BYTES = 1000
ANSWER_WAIT_SECONDS = READ_TIMEOUT_SECONDS + 20
CONNECT_WAIT_SECONDS = 5


@pytest.fixture
def store(tmp_path: Path) -> PipelineStore:
    return gateway_store(tmp_path)


@pytest.fixture
def gateway_url(store: PipelineStore) -> Iterator[str]:
    gateway = WebhookGateway(signing_secret=SecretStr(SECRET), tolerance_seconds=300, max_body_bytes=MAX_BODY)
    with serve_asgi(create_app(gateway, store)) as url:
        yield url


def test_health(gateway_url: str) -> None:
    assert httpx.get(f"{gateway_url}/health").json() == {"status": "ok"}


def test_forged_stale_tampered_and_oversized_deliveries_are_refused_and_start_nothing(
    gateway_url: str, store: PipelineStore
) -> None:
    body = delivery_body("Amara Okafor joined Northwind Traders Ltd.")
    good = signed(body)
    now = datetime.now(UTC)
    cases = {
        "bad signature": (body, {**good, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}, 401),
        "wrong secret": (body, signed(body, secret="whsec_" + base64.b64encode(b"k" * 24).decode()), 401),
        "tampered body": (body.replace(b"Amara", b"Mallory"), good, 401),
        "stale timestamp": (body, signed(body, at=now - timedelta(minutes=10)), 401),
        "future timestamp": (body, signed(body, at=now + timedelta(minutes=10)), 401),
        "missing headers": (body, {"content-type": "application/json"}, 400),
        "oversized body": (delivery_body("x" * MAX_BODY), signed(delivery_body("x" * MAX_BODY)), 413),
        "invalid payload": (b'{"txt": 1}', signed(b'{"txt": 1}'), 422),
        "text and url": (BOTH, signed(BOTH), 422),
    }
    for case, (content, headers, status) in cases.items():
        response = httpx.post(f"{gateway_url}/documents", content=content, headers=headers)
        assert response.status_code == status, f"{case}: {response.status_code} {response.text}"
        assert response.json()["detail"], f"{case}: the answer says why"
    assert delivery_count(store) == 0, "no refused delivery was recorded or emitted"


BOTH = b'{"text": "A note.", "url": "https://example.com/note.pdf"}'


def test_a_delivery_carries_a_text_or_a_url_and_its_event_says_which() -> None:
    by_url = document_event("delivery-1", DocumentDelivery(url="https://example.com/report.pdf"))
    assert (by_url.payload["urls"], by_url.payload["texts"]) == (["https://example.com/report.pdf"], [])
    by_text = document_event("delivery-2", DocumentDelivery(text="A note.", source="note.txt"))
    assert (by_text.payload["urls"], by_text.payload["texts"], by_text.payload["sources"]) == ([], ["A note."],
                                                                                              ["note.txt"])
    for wrong in ({}, {"text": "A note.", "url": "https://example.com/a"}):
        with pytest.raises(ValidationError, match="send either `text`"):
            DocumentDelivery.model_validate(wrong)
    with pytest.raises(ValidationError, match="should match pattern"):
        DocumentDelivery(url="file:///etc/passwd")


async def test_a_signed_delivery_sent_ten_times_starts_exactly_one_run_that_completes(
    worker: None, gateway_url: str, store: PipelineStore, tmp_path: Path
) -> None:
    await point_default_blocks(LanguageModel(), None, tmp_path / "pipeline.db")
    text = f"Delivery {uuid.uuid4().hex}: Ingrid Halvorsen visited Hamburg for Halvorsen Analytics GmbH."
    body = delivery_body(text)
    headers = signed(body)

    async with httpx.AsyncClient(base_url=gateway_url) as client:
        concurrent = await asyncio.gather(*(client.post("/documents", content=body, headers=headers) for _ in range(5)))
        sequential = [await client.post("/documents", content=body, headers=headers) for _ in range(5)]
    answers = [r.status_code for r in [*concurrent, *sequential]]
    print(f"deliveries=10 (5 at once) answers={sorted(answers)}")
    assert all(200 <= status < 300 for status in answers)
    assert answers.count(202) == 1, "one copy accepted, the other nine answered as duplicates"
    event_id = next(r.json()["event_id"] for r in [*concurrent, *sequential] if r.status_code == 202)
    assert delivery_count(store) == 1

    events = [e for e in await wait_for_events(DOCUMENT_RECEIVED, at_least=1)
              if e.payload.get("delivery_id") == headers["webhook-id"]]
    assert [str(e.id) for e in events] == [event_id]
    for _ in range(60):
        runs = await flow_runs_for(text)
        if runs:
            break
        await asyncio.sleep(1)
    assert len(runs) == 1, "exactly one flow run for the delivery"
    assert await final_state(runs[0].id) == "Completed"
    await asyncio.sleep(3)
    assert len(await flow_runs_for(text)) == 1, "and no second one later"


def _partial_request(port: int) -> bytes:
    """Request headers that promise DECLARED_BODY_BYTES of body, then only the body's first bytes."""
    lines = ["POST /documents HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
             f"Content-Length: {DECLARED_BODY_BYTES}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"text": "only the start of the body'


async def _open(port: int, sent: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw loopback connection that has sent these bytes and sends nothing more."""
    async with asyncio.timeout(CONNECT_WAIT_SECONDS):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(sent)
        await writer.drain()
    return reader, writer


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed it."""
    try:
        data = await asyncio.wait_for(reader.read(), timeout=ANSWER_WAIT_SECONDS)
    except ConnectionResetError:
        data = b"RESET"
    return data, time.monotonic()


async def _hold_slow_senders(port: int, writers: list[asyncio.StreamWriter]) -> tuple[list, list]:  # type: ignore[type-arg]
    """Open the slow senders (body, then headers only): each one's task ends when the gateway closes it."""
    slow, header_only = [], []
    for _ in range(SLOW_SENDERS):
        reader, writer = await _open(port, _partial_request(port))
        writers.append(writer)
        slow.append(asyncio.create_task(_answer(reader)))
    for _ in range(SLOW_HEADER_SENDERS):
        reader, writer = await _open(port, b"POST /documents HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        writers.append(writer)
        header_only.append(asyncio.create_task(_answer(reader)))
    return slow, header_only


async def _drop_senders(port: int, writers: list[asyncio.StreamWriter]) -> None:
    """Senders that send their headers and part of the body, then close the connection."""
    for _ in range(DROPPING_SENDERS):
        _, writer = await _open(port, _partial_request(port))
        writers.append(writer)
        await asyncio.sleep(0.05)
        writer.close()


async def test_slow_senders_are_answered_408_while_a_signed_delivery_is_answered_at_once(
    tmp_path: Path, store: PipelineStore
) -> None:
    block_name = f"slow-senders-{uuid.uuid4().hex[:8]}"
    await WebhookGateway(signing_secret=SecretStr(SECRET), read_timeout_seconds=READ_TIMEOUT_SECONDS).asave(block_name)
    env = {"AGENTIC_DATABASE_URL": store.database_url.get_secret_value()}
    writers: list[asyncio.StreamWriter] = []
    slow, header_only = [], []
    with gateway_process(tmp_path, env, "--gateway-block", block_name) as gateway:
        # each delivery on its own connection: opening the slow senders can take longer than the gateway keeps an
        # idle connection, and a kept-alive connection closed by the gateway as it is reused is a ReadError
        one_use = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30, limits=one_use) as client:
            cold = delivery_body(f"Delivery {uuid.uuid4().hex}: the first one after start, before any slow sender.")
            assert (await client.post("/documents", content=cold, headers=signed(cold))).status_code == 202
            try:
                opened_at = time.monotonic()
                slow, header_only = await _hold_slow_senders(gateway.port, writers)
                body = delivery_body(
                    f"Delivery {uuid.uuid4().hex}: Tomasz Wrobel audited Baltic Freight S.A. in Gdansk.")
                sent_at = time.monotonic()
                delivery = await client.post("/documents", content=body, headers=signed(body))
                answered_at = time.monotonic()
                await _drop_senders(gateway.port, writers)
                slow_answers = await asyncio.gather(*slow)
                header_answers = await asyncio.gather(*header_only)
            finally:
                for task in [*slow, *header_only]:
                    task.cancel()
                for writer in writers:
                    writer.close()
                await asyncio.gather(*(writer.wait_closed() for writer in writers), return_exceptions=True)
    log = gateway.stderr.read_text()
    lines = log.splitlines()
    statuses = [data.split(b"\r\n", 1)[0] for data, _ in slow_answers]
    timed_out = sum("answered 408" in line for line in lines)
    dropped = sum("dropped the connection" in line for line in lines)
    no_headers = sum("no complete request headers" in line for line in lines)
    print(f"slow senders={SLOW_SENDERS} (408: {statuses.count(b'HTTP/1.1 408 Request Timeout')}), "
          f"signed delivery answered in {answered_at - sent_at:.2f} s, dropped={DROPPING_SENDERS}, "
          f"slow headers={SLOW_HEADER_SENDERS}; log lines: 408={timed_out} dropped={dropped} "
          f"headers={no_headers} tracebacks={log.count('Traceback')}")

    assert delivery.status_code == 202, delivery.text
    assert answered_at - sent_at < 1.0, f"the signed delivery took {answered_at - sent_at:.2f} s"
    assert answered_at < min(at for _, at in slow_answers), "answered while every slow sender was still waiting"
    assert statuses == [b"HTTP/1.1 408 Request Timeout"] * SLOW_SENDERS, set(statuses)
    assert min(at for _, at in slow_answers) - opened_at >= READ_TIMEOUT_SECONDS - 0.1, "408 only after the timeout"
    assert [data for data, _ in header_answers] == [b""] * SLOW_HEADER_SENDERS, [d for d, _ in header_answers]
    assert "Traceback" not in log, log[-3000:]
    assert (timed_out, dropped, no_headers) == (SLOW_SENDERS, DROPPING_SENDERS, SLOW_HEADER_SENDERS)


IDLE_CONNECTIONS = 500
IDLE_CLOSE_SLACK_SECONDS = 1.5


def _open_idle(port: int, sources: list[str]) -> list[socket.socket]:
    """IDLE_CONNECTIONS plain connections to the gateway on 127.0.0.1, from these loopback addresses in turn, that
    send nothing."""
    return [socket.create_connection(("127.0.0.1", port), timeout=CONNECT_WAIT_SECONDS,
                                     source_address=(sources[index % len(sources)], 0))
            for index in range(IDLE_CONNECTIONS)]


def _closed_after(sockets: list[socket.socket], since: float, timeout: float) -> list[float]:
    """Seconds from `since` until the gateway closed each socket (inf: still open after timeout seconds)."""
    closed: dict[socket.socket, float] = {}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while len(closed) < len(sockets) and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    if sock.recv(1024):
                        continue
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    pass
                closed[sock] = time.monotonic() - since
                selector.unregister(sock)
    return [closed.get(sock, float("inf")) for sock in sockets]


@pytest.mark.parametrize("clients", [1, 10], ids=["one-client-address", "ten-client-addresses"])
async def test_a_signed_delivery_is_answered_202_while_500_idle_connections_are_open(
    tmp_path: Path, store: PipelineStore, clients: int
) -> None:
    """500 connections that send nothing, from the sender's own address or spread over ten (50 each, under the cap of
    64 idle per client), do not make a signed delivery wait: answered 202 in under a second. One client's idle
    connections past 64 are closed at once, all of them once 500 are open, and every idle one within 2 s
    (IDLE_SECONDS) of opening. (Before: 500 idle connections filled uvicorn's 500 and had deliveries answered 503
    until the 10 s header timeout closed them.)"""
    env = {"AGENTIC_WEBHOOK_SECRET": SECRET, "AGENTIC_DATABASE_URL": store.database_url.get_secret_value()}
    sources = [f"127.0.0.{1 + n}" for n in range(clients)]
    sockets: list[socket.socket] = []
    with gateway_process(tmp_path, env) as gateway:
        try:
            opened_at = time.monotonic()
            sockets = _open_idle(gateway.port, sources)
            opened_in = time.monotonic() - opened_at
            body = delivery_body(
                f"Delivery {uuid.uuid4().hex}: Rafael Moreno leased a depot to Moreno Cargo SL in Valencia.")
            sent_at = time.monotonic()
            async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
                delivery = await client.post("/documents", content=body, headers=signed(body))
            answered_in = time.monotonic() - sent_at
            closed = _closed_after(sockets, opened_at, opened_in + IDLE_SECONDS + IDLE_CLOSE_SLACK_SECONDS)
        finally:
            for sock in sockets:
                sock.close()
    early = sum(seconds < IDLE_SECONDS for seconds in closed)
    figures = (f"{IDLE_CONNECTIONS} idle connections from {clients} address(es) opened in {opened_in:.2f} s; signed "
               f"delivery answered {delivery.status_code} in {answered_in:.2f} s; {early} idle ones closed before the "
               f"{IDLE_SECONDS} s idle timeout, the last {max(closed):.2f} s after the first opened")
    print(figures)
    assert delivery.status_code == 202, f"{figures}: {delivery.text}"
    assert answered_in < 1.0, figures
    assert max(closed) <= opened_in + IDLE_SECONDS + IDLE_CLOSE_SLACK_SECONDS, f"every idle one closed: {figures}"
    if clients == 1:
        assert early >= IDLE_CONNECTIONS - IDLE_CONNECTIONS_PER_CLIENT, f"at most 64 idle per client: {figures}"
    else:
        assert early >= 1, f"the longest idle one closed to make room: {figures}"
