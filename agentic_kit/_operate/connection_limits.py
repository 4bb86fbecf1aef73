"""The gateway's bounds on slow and idle senders: uvicorn's h11 protocol with idle and header timers, a cap on one
client's idle connections, and room made for a new connection before uvicorn's limit would answer 503.

A connection must send its request line within IDLE_SECONDS of opening or of its last answer; a client address holds
at most IDLE_CONNECTIONS_PER_CLIENT idle connections (another one closes its longest idle, once that one has been
idle for EVICTION_GRACE_SECONDS), and a connection that would reach MAX_CONNECTIONS closes the longest idle one of
all, so connections doing nothing never make a request get uvicorn's 503 past MAX_CONNECTIONS. Headers must arrive
within the block's read timeout, and a sender that drops or times out costs one log line, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

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
LOGGER = logging.getLogger("agentic.webhook_gateway")
"""The gateway's logger: these lines stand among its own."""


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
