"""A webhook sink that keeps every notification posted to it, for automation tests."""

from __future__ import annotations

import threading
import time
from email.message import Message
from typing import Any

from .stub_http import StubServer

NOTIFY_PATH = "/notify"


class NotificationSink(StubServer):
    """Answers POST /notify with 200 and keeps each JSON body."""

    fault_paths = frozenset({NOTIFY_PATH})

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.received: list[dict[str, Any]] = []

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        return "notify"

    def respond(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Message
    ) -> tuple[int, dict[str, Any]]:
        if method != "POST" or path != NOTIFY_PATH:
            return 404, {"detail": "Not Found"}
        with self._lock:
            self.received.append(body or {})
        return 200, {"ok": True}

    def wait_for(self, text: str, timeout: float = 60.0) -> dict[str, Any]:
        """The first notification whose subject or body contains text, waiting up to timeout seconds."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for note in self.received:
                    if text in f"{note.get('subject', '')}\n{note.get('body', '')}":
                        print(f"notification {text!r} after {time.monotonic() - started:.1f} s")
                        return note
            time.sleep(0.25)
        raise AssertionError(f"no notification containing {text!r} within {timeout} s; got {self.received}")
