"""Counts of one document-pipeline run, for a terminal in the same process to show while the run works.

The flow adds to the tally once a document (a few integer additions: no I/O, no API call, nothing per task); the
command that started the run reads it from another thread, and reads the model calls, tokens and cost from the
store (`model_usage`) itself. The tally travels in a context variable: only a run started inside `watching(tally)`
reports to it, and every other run (a deployment on a worker, a test, a subflow elsewhere) adds to a throwaway one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.documents import DocumentOutcome


@dataclass
class RunTally:
    """Documents done, failed, rejected and waiting for review so far; `total` is None until the input is read."""

    total: int | None = None
    done: int = 0
    failed: int = 0
    rejected: int = 0
    waiting_for_review: int = 0
    done_at_start: int = 0
    """Documents counted done before any was processed (rejected input, documents published before)."""
    started: float = field(default_factory=time.monotonic)
    """When processing began (time.monotonic), for the rate."""
    flow_run_id: str | None = None
    store: PipelineStore | None = None
    settled_at: float | None = None
    """When the run's final outcomes replaced the running counts (time.monotonic); None before."""

    def begin(self, total: int, rejected: int, done_before: int, flow_run_id: str, store: PipelineStore) -> None:
        """The input is read: how many documents in all, and how many need no processing."""
        self.total, self.rejected = total, rejected
        self.done = self.done_at_start = rejected + done_before
        self.flow_run_id, self.store = flow_run_id, store
        self.started = time.monotonic()

    def finished(self, outcome: DocumentOutcome, waiting_for_review: bool) -> None:
        """One document is through its steps (and published, unless it waits for a person)."""
        self.done += 1
        self.failed += outcome.status == "failed"
        self.rejected += outcome.status == "rejected"
        self.waiting_for_review += waiting_for_review

    def settle(self, outcomes: Iterable[DocumentOutcome]) -> None:
        """The run's final outcomes, the same the report counts, replace the running counts."""
        statuses = [outcome.status for outcome in outcomes]
        self.total = self.done = len(statuses)
        self.failed, self.rejected = statuses.count("failed"), statuses.count("rejected")
        self.waiting_for_review = 0
        self.settled_at = time.monotonic()


_CURRENT: ContextVar[RunTally | None] = ContextVar("agentic_run_tally", default=None)


def current_tally() -> RunTally:
    """The tally of the run being watched, or a throwaway one when nobody watches."""
    return _CURRENT.get() or RunTally()


@contextmanager
def watching(tally: RunTally) -> Iterator[RunTally]:
    """Runs started inside report their counts to tally."""
    token = _CURRENT.set(tally)
    try:
        yield tally
    finally:
        _CURRENT.reset(token)
