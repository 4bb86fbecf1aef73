"""Rows a step produces on the side (call attempts, cache entries), written in batches off the step's path.

A commit per row would serialize every step on the database, so a buffer keeps them and a background thread
writes them every FLUSH_SECONDS in one transaction per store; a flow run flushes every buffer when it ends. A
process killed outright loses at most its last FLUSH_SECONDS of rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from agentic_kit._blocks.store import PipelineStore

FLUSH_SECONDS = 0.5
Item = TypeVar("Item")


class RowBuffer(Generic[Item]):
    """Items waiting to be written to their store by `write(store, items)`, in one call per store and flush."""

    every: ClassVar[list[RowBuffer[Any]]] = []
    """Every buffer of the process, so a flow run can flush them all."""

    def __init__(self, name: str, write: Callable[[PipelineStore, list[Item]], None]) -> None:
        self.name = name
        self._write = write
        self._pending: dict[str, tuple[PipelineStore, list[Item]]] = {}
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        RowBuffer.every.append(self)

    def add(self, store: PipelineStore, item: Item) -> None:
        with self._lock:
            self._pending.setdefault(store.database_url.get_secret_value(), (store, []))[1].append(item)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_forever, name=self.name, daemon=True)
                self._writer.start()

    def flush(self) -> None:
        """Write every item added so far."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for store, items in pending.values():
            self._write(store, items)

    def _write_forever(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:  # a store that is briefly away must not stop later writes
                logging.getLogger(__name__).warning("could not write %s; they are dropped", self.name, exc_info=True)


def flush_all() -> None:
    """Write what every buffer of the process holds."""
    for buffer in RowBuffer.every:
        buffer.flush()
