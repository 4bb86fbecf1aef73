"""Base in-process HTTP/1.1 stub server with fault injection and a request log."""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
import time
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from .faults import ERROR, OK, Fault, FaultPlan, RequestLog, RequestRecord

Reply = tuple[int, dict[str, Any] | bytes, dict[str, str]]

_FAULT_STATUS = {Fault.RATE_LIMIT: 429, Fault.SERVER_ERROR: 500, Fault.BAD_REQUEST: 400, Fault.UNAUTHORIZED: 401}
_ERROR_KINDS = {429: ("requests", "rate_limit_exceeded"), 500: ("server_error", None),
                401: ("invalid_request_error", "invalid_api_key")}
GARBAGE_TEXT = "Sure! here is {not json"


def fingerprint(body: dict[str, Any] | None, raw: bytes) -> str:
    """sha256 of the canonical JSON body (of the raw bytes when the body is not a JSON object)."""
    data = raw if body is None else json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def _parse(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class _Handler(BaseHTTPRequestHandler):
    """Keep-alive handler that hands every request to the owning StubServer."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms ACK stalls
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self.server.stub.serve(self, "GET")

    def do_POST(self) -> None:
        self.server.stub.serve(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read the RequestLog instead."""

    def write(self, status: int, payload: dict[str, Any] | bytes, headers: dict[str, str]) -> None:
        """Send one JSON response with Content-Length; a vanished client just ends the connection."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


DEFAULT_HOST = "127.0.0.1"


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server on a port of the stub's address (a free one by default) that tracks its open connections."""

    daemon_threads = True
    request_queue_size = 128
    """Enough backlog for many clients connecting at once (the default of 5 drops some)."""

    def __init__(self, stub: StubServer, port: int = 0) -> None:
        self.stub = stub
        self.connections: set[socket.socket] = set()
        super().__init__((stub.host, port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that disconnect; report real bugs."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class StubServer:
    """In-process stub: subclasses implement `respond` and `key`; faults hit only `fault_paths` POSTs."""

    fault_paths: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.log = RequestLog()
        self.host = DEFAULT_HOST
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def respond(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Message
    ) -> tuple[int, dict[str, Any]]:
        """The normal answer (status, JSON body) to a request."""
        raise NotImplementedError

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        """The name a main-endpoint request is logged and matched under."""
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """An OpenAI-style error body."""
        kind, code = _ERROR_KINDS.get(status, ("invalid_request_error", None))
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    def garbage(self, body: dict[str, Any] | None) -> tuple[int, dict[str, Any] | bytes]:
        """The GARBAGE answer: a 200 whose body is not JSON."""
        return 200, GARBAGE_TEXT.encode()

    def on(self, host: str) -> Self:
        """Listen on this address instead of 127.0.0.1 (e.g. a bridge that other network namespaces reach)."""
        self.host = host
        return self

    def start(self, port: int = 0) -> Self:
        """Bind port (a free one when 0) on the server's address and serve in a daemon thread."""
        self._httpd = _HTTPServer(self, port)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self._httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release held requests, stop serving, close the listener and open connections."""
        if self._httpd is None or self._thread is None:
            return
        self.faults.release()
        self._httpd.shutdown()
        for conn in list(self._httpd.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        self._thread.join()
        self._httpd = self._thread = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def serve(self, handler: _Handler, method: str) -> None:
        """Answer one request; main endpoints go through the gate, latency, faults and log."""
        path = handler.path.split("?", 1)[0]
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        body = _parse(raw)
        if method != "POST" or path not in self.fault_paths:
            handler.write(*self.respond(method, path, body, handler.headers), {})
            return
        key = self.key(path, body)
        concurrent = self.log.begin()
        started = time.time()
        fault: Fault | None = None
        reply: Reply | None = None
        try:
            self.faults.wait_gate()
            time.sleep(self.faults.latency)
            fault = self.faults.draw(key)
            reply = self._reply(fault, method, path, body, handler.headers)
        finally:  # log before writing, so a client that got its answer also sees the record
            status = reply[0] if reply else None
            outcome = fault.value if fault else (OK if status and status < 400 else ERROR)
            record = RequestRecord(
                key, fingerprint(body, raw), outcome, status, started, time.time(), concurrent
            )
            self.log.add(record)
            if outcome == OK:
                self.faults.note_ok()
        if reply is None:
            handler.close_connection = True  # DROP: close without a response
            return
        handler.write(*reply)

    def _reply(
        self,
        fault: Fault | None,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: Message,
    ) -> Reply | None:
        """(status, body, extra headers) to send for this fault, or None to drop the connection."""
        if fault is Fault.DROP:
            return None
        if fault is Fault.SLOW:
            time.sleep(self.faults.slow_seconds)
        if fault is None or fault is Fault.SLOW:
            return *self.respond(method, path, body, headers), {}
        if fault is Fault.GARBAGE:
            return *self.garbage(body), {}
        status = _FAULT_STATUS[fault]
        extra = {"Retry-After": f"{self.faults.retry_after:g}"} if fault is Fault.RATE_LIMIT else {}
        if fault is Fault.UNAUTHORIZED:  # OpenAI's wording, the key in full: what a careless provider echoes
            credential = (headers.get("Authorization") or "").partition(" ")[2].strip()
            return status, self.error_body(status, f"Incorrect API key provided: {credential}. You can find your "
                                                   "API key at https://platform.openai.com/account/api-keys."), extra
        return status, self.error_body(status, f"injected fault: {fault}"), extra
