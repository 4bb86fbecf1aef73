"""Web pages served on 127.0.0.1 for the fetch tool: fixed pages, redirects, encoded bodies, latency and a log."""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from .faults import OK, RequestLog, RequestRecord


@dataclass(frozen=True)
class Page:
    """One answer: status, headers and body."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def redirect(location: str, status: int = 302) -> Page:
    """A redirect to location."""
    return Page(status=status, headers={"Location": location}, content_type="text/plain")


def encoded(body: bytes, encoding: str, content_type: str = "text/html; charset=utf-8") -> Page:
    """Bytes sent exactly as given, labelled with `Content-Encoding: encoding` (the server never compresses)."""
    return Page(body, content_type, headers={"Content-Encoding": encoding})


BOMB_PIECE_BYTES = 1 << 20
"""A gzip bomb is compressed a MiB of zeros at a time, so building it never holds what it inflates to."""


def gzip_bomb(decoded_bytes: int, layers: int = 1) -> bytes:
    """Zeros of decoded_bytes, gzip-compressed layers times over (send with `gzip, gzip` for two layers)."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    pieces, left = [], decoded_bytes
    while left > 0:
        pieces.append(squeezer.compress(bytes(min(left, BOMB_PIECE_BYTES))))
        left -= BOMB_PIECE_BYTES
    body = b"".join(pieces) + squeezer.flush()
    for _ in range(layers - 1):
        outer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        body = outer.compress(body) + outer.flush()
    return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self.server.owner.serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read the log instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: PageServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class PageServer:
    """Serves `pages` by path (404 otherwise); logs each GET with the Host header it carried."""

    def __init__(self, pages: dict[str, Page] | None = None) -> None:
        self.pages = dict(pages or {})
        self.latency = 0.0
        self.log = RequestLog()
        self.hosts: list[str] = []
        self._httpd: _Server | None = None

    def serve(self, handler: _Handler) -> None:
        """Answer one GET after the configured latency."""
        concurrent = self.log.begin()
        started = time.time()
        self.hosts.append(handler.headers.get("Host", ""))
        time.sleep(self.latency)
        path = handler.path.split("?", 1)[0]
        page = self.pages.get(path, Page(b"not found", "text/plain", 404))
        self.log.add(RequestRecord(path, path, OK, page.status, started, time.time(), concurrent))
        handler.send_response(page.status)
        handler.send_header("Content-Type", page.content_type)
        handler.send_header("Content-Length", str(len(page.body)))
        for name, value in page.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(page.body)

    def url(self, path: str = "/") -> str:
        """The full URL of a path on this server."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> Self:
        self._httpd = _Server(self)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
