"""A Prefect API whose event intake hangs: it accepts every `POST /api/events` and answers none until released, then
forwards each one (those held and those after) to the real API and passes its answer on; never released, it forwards
none of them. Other requests (the client's CSRF token, say) are forwarded at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agentic_kit.testing.asgi import serve_asgi

FORWARDED_HEADERS = ("authorization", "content-type", "accept", "user-agent", "x-prefect-api-version")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
HELD = "POST /api/events"


class HeldApi:
    """Stands in for the Prefect API at `api_url`: `received` lists each request as it arrives ("POST /api/events"),
    `forwarded` the real API's status for each held one forwarded after `release()`."""

    def __init__(self, api_url: str) -> None:
        self.target = api_url.removesuffix("/api")
        self.received: list[str] = []
        self.forwarded: list[int] = []
        self._released = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()

    def release(self) -> None:
        """From now on the real API answers: the requests held so far are forwarded too."""
        self._released.set()

    def count(self, request: str) -> int:
        """How many requests like "POST /api/events" arrived."""
        with self._lock:
            return self.received.count(request)

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        name = f"{request.method} {request.url.path}"
        with self._lock:
            self.received.append(name)
        while name == HELD and not self._released.is_set():
            if self._closing.is_set():
                return Response("held, never forwarded", status_code=503)
            await asyncio.sleep(0.05)
        headers = {name: value for name, value in request.headers.items() if name in FORWARDED_HEADERS}
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.request(request.method, f"{self.target}{request.url.path}",
                                          params=request.query_params, content=body, headers=headers)
        if name == HELD:
            with self._lock:
                self.forwarded.append(answer.status_code)
        return Response(answer.content, status_code=answer.status_code,
                        media_type=answer.headers.get("content-type"))

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on a free 127.0.0.1 port; yield the URL to use as PREFECT_API_URL. At the end, what is still held
        is answered 503 and never forwarded."""
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=METHODS)])
        with serve_asgi(app) as url:
            try:
                yield f"{url}/api"
            finally:
                self._closing.set()
