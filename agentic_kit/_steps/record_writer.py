"""The process's one writer of the records steps keep on the side: call rows, model exchanges, cache index rows,
usage rows and budget settlements.

A step queues its records and goes on; one background thread writes everything queued for a store in one
transaction per batch. A batch goes every FLUSH_SECONDS, or at once when a step waits for a record to be durable:
a model call's usage row (and the settlement queued before it) is committed before the call's task run ends, so a
run killed after a paid call still accounts for it. The steps waiting at that moment share the batch (group
commit): sixteen documents at once cost one transaction, not sixteen, and no thread hop each. A flow run writes
what is left when it ends; a process killed outright loses at most its last FLUSH_SECONDS of call rows, exchanges
and index rows, never the usage of a finished call.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from agentic_kit._blocks.store import PipelineStore

FLUSH_SECONDS = 0.5
Item = TypeVar("Item")
Waiter = tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]


@dataclass(frozen=True, eq=False)
class RecordKind(Generic[Item]):
    """One kind of record and how a batch of them is written inside the batch's transaction."""

    name: str
    write: Callable[[Session, list[Item]], None]


@dataclass
class _Batch:
    """What is queued for one store: records by kind (in the order kinds first came), and the steps waiting."""

    store: PipelineStore
    records: dict[RecordKind[Any], list[Any]]
    waiters: list[Waiter]


class RecordWriter:
    """Records queued per store, written by one thread in one transaction per store and batch."""

    def __init__(self) -> None:
        self._pending: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, store: PipelineStore, kind: RecordKind[Item], item: Item) -> None:
        """Queue a record; it is written within FLUSH_SECONDS (or with the next durable one)."""
        with self._lock:
            self._queue(store, kind, item)

    async def add_durably(self, store: PipelineStore, kind: RecordKind[Item], item: Item) -> None:
        """Queue a record and return once it is committed, with everything queued before it for that store; the
        write's error if it failed."""
        loop = asyncio.get_running_loop()
        committed: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._queue(store, kind, item).waiters.append((loop, committed))
        self._wake.set()
        await committed

    def flush(self) -> None:
        """Write everything queued so far, in this thread."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for batch in pending.values():
            _write(batch)

    def _queue(self, store: PipelineStore, kind: RecordKind[Item], item: Item) -> _Batch:
        """Add the record to its store's batch (the lock held); start the writer thread the first time."""
        url = store.database_url.get_secret_value()
        batch = self._pending.get(url)
        if batch is None:
            batch = self._pending[url] = _Batch(store, {}, [])
        batch.records.setdefault(kind, []).append(item)
        if self._thread is None:
            self._thread = threading.Thread(target=self._write_forever, name="agentic-records", daemon=True)
            self._thread.start()
        return batch

    def _write_forever(self) -> None:
        while True:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()


def _write(batch: _Batch) -> None:
    """One store's batch in one transaction; its waiters learn the outcome. A failed batch is logged and dropped:
    a store that is briefly away must not stop later writes (a waiting step gets the error)."""
    error: BaseException | None = None
    try:
        with Session(batch.store.engine()) as session:
            for kind, items in batch.records.items():
                kind.write(session, items)
            session.commit()
    except Exception as exc:
        error = exc
        kinds = ", ".join(kind.name for kind in batch.records)
        logging.getLogger(__name__).warning("could not write %s; they are dropped", kinds, exc_info=True)
    for loop, committed in batch.waiters:
        try:
            loop.call_soon_threadsafe(_settle_waiter, committed, error)
        except RuntimeError:  # the waiting step's event loop has closed
            pass


def _settle_waiter(committed: asyncio.Future[None], error: BaseException | None) -> None:
    if committed.done():  # the waiting step was cancelled
        return
    if error is None:
        committed.set_result(None)
    else:
        committed.set_exception(error)


def added_rows(name: str) -> RecordKind[Any]:
    """A kind of record that is an ORM row, added as it is."""
    return RecordKind(name, Session.add_all)


RECORDS = RecordWriter()
"""The process's writer."""
