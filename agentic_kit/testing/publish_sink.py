"""A receiver of publish notifications that applies each idempotency key once, as a careful receiver does."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from email.message import Message
from typing import Any

from .stub_http import StubServer

PUBLISH_PATH = "/published"
PUBLISHED, RETRACTED = "document.published", "document.retracted"


class PublishSink(StubServer):
    """Answers POST /published (or the path given: a Slack-style `/services/T0/B0/<token>`); keeps every delivery,
    applies the first of each Idempotency-Key."""

    def __init__(self, path: str = PUBLISH_PATH) -> None:
        super().__init__()
        self.path = path
        self.fault_paths = frozenset({path})
        self._lock = threading.Lock()
        self.deliveries: list[str] = []
        self.applied: dict[str, dict[str, Any]] = {}
        self.on_apply: Callable[[dict[str, Any]], None] | None = None
        """Called (in the server thread) after a first delivery was applied, before it is answered."""

    @property
    def notify_url(self) -> str:
        return f"{self.url}{self.path}"

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        return f"{(body or {}).get('type')}:{(body or {}).get('document_id')}"

    def respond(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Message
    ) -> tuple[int, dict[str, Any]]:
        if method != "POST" or path != self.path:
            return 404, {"detail": "Not Found"}
        idempotency_key = headers.get("Idempotency-Key")
        if not idempotency_key or not body or body.get("type") not in (PUBLISHED, RETRACTED):
            return 400, {"detail": "an Idempotency-Key header and a known type are required"}
        with self._lock:
            self.deliveries.append(idempotency_key)
            first = idempotency_key not in self.applied
            if first:
                self.applied[idempotency_key] = body
        if first and self.on_apply is not None:
            self.on_apply(body)
        return 200, {"applied": first}

    def effects(self, kind: str = PUBLISHED) -> Counter[str]:
        """How many times each document's notification of this kind was applied (once per key)."""
        with self._lock:
            return Counter(body["document_id"] for body in self.applied.values() if body["type"] == kind)

    def live_documents(self) -> set[str]:
        """Documents whose last applied notification says published (not retracted since)."""
        with self._lock:
            bodies = list(self.applied.values())
        live: set[str] = set()
        for body in bodies:
            (live.add if body["type"] == PUBLISHED else live.discard)(body["document_id"])
        return live
