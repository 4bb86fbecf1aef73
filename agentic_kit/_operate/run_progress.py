"""What `agentic run` shows while the document pipeline works: a live bar on a terminal, plain lines elsewhere.

The figures cost the run nothing per task. Documents done, failed, rejected and waiting for review come from the
flow's in-process tally (agentic_kit/_steps/run_tally.py); model calls, tokens and cost from the run's `model_usage` rows in
the store, read by a thread of this process once a second on a terminal and once a line elsewhere. On a terminal
the bar (rich, on stderr) redraws in place and Prefect's console lines print above it; elsewhere (CI, a pipe) one
plain line every AGENTIC_PROGRESS_INTERVAL_SECONDS, and a last one with the final counts.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from sqlalchemy.exc import SQLAlchemyError

from agentic_kit._domain.models.common import UsageTotals
from agentic_kit._domain.settings import Settings
from agentic_kit._operate.console_logs import logs_above
from agentic_kit._steps.run_tally import RunTally

BAR_REFRESH_SECONDS = 1.0
STARTING = "starting, reading the input"


@dataclass(frozen=True)
class ProgressSnapshot:
    """The run's figures at one moment, in the words a person reads."""

    tally: RunTally
    usage: UsageTotals
    documents_per_minute: float | None
    seconds_left: float | None

    @classmethod
    def of(cls, tally: RunTally, usage: UsageTotals) -> ProgressSnapshot:
        """The tally and usage now, with the rate from the start of processing to now (or to the run's end) and the
        time left at that rate."""
        processed = tally.done - tally.done_at_start
        elapsed = (tally.settled_at or time.monotonic()) - tally.started
        rate = 60.0 * processed / elapsed if processed > 0 and elapsed > 0 else None
        left = (tally.total or 0) - tally.done
        seconds_left = 60.0 * left / rate if rate and left > 0 else None
        return cls(tally, usage, rate, seconds_left)

    def counts(self) -> str:
        """Documents that failed, were rejected, wait for review."""
        t = self.tally
        return f"{t.failed} failed, {t.rejected} rejected, {t.waiting_for_review} waiting for review"

    def spending(self) -> str:
        """Model calls, tokens and cost so far."""
        u = self.usage
        return f"{u.calls:,} model calls, {_tokens(u.input_tokens + u.output_tokens)} tokens, {_dollars(u.cost_usd)}"

    def pace(self) -> str:
        """Documents a minute and the time left, as far as known."""
        rate = f"{self.documents_per_minute:.1f} documents/min" if self.documents_per_minute else "rate not known yet"
        if self.tally.settled_at is not None:
            return f"{rate}, finished"
        if self.tally.done == self.tally.total:
            return f"{rate}, finishing"
        return f"{rate}, {_time_left(self.seconds_left)}" if self.seconds_left else rate

    def line(self) -> str:
        """One plain line, for a log that is not a terminal."""
        t = self.tally
        if t.total is None:
            return f"progress: {STARTING}"
        return f"progress: {t.done:,}/{t.total:,} documents ({self.counts()}), {self.spending()}, {self.pace()}"

    def details(self) -> str:
        """What follows the bar on a terminal."""
        return STARTING if self.tally.total is None else f"{self.counts()} · {self.spending()} · {self.pace()}"


def _tokens(count: int) -> str:
    """1,234,567 as 1.2M, 3,400 as 3.4k."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if count >= size:
            return f"{count / size:.1f}{unit}"
    return str(count)


def _dollars(cost: float) -> str:
    """Cents from a dollar up, else four decimals, so that a small cost does not read as nothing."""
    return f"${cost:,.2f}" if cost >= 1 or cost == 0 else f"${cost:.4f}"


def _time_left(seconds: float) -> str:
    """About how long is left, in seconds, minutes or hours and minutes."""
    if seconds < 59.5:
        return f"about {max(1, round(seconds))} s left"
    minutes = round(seconds / 60)
    return f"about {minutes} min left" if minutes < 60 else f"about {minutes // 60} h {minutes % 60} min left"


class _Display(Protocol):
    """Where progress goes, and every how many seconds."""

    every: float

    def show(self, snapshot: ProgressSnapshot) -> None: ...


class _Bar:
    """A live bar on a terminal; Prefect's console lines print above it."""

    every = BAR_REFRESH_SECONDS

    def __init__(self, console: Console) -> None:
        self.progress = Progress(SpinnerColumn(), TextColumn("documents"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[details]}", markup=False), console=console)
        self.task = self.progress.add_task("documents", total=None, details=STARTING)

    def show(self, snapshot: ProgressSnapshot) -> None:
        self.progress.update(self.task, total=snapshot.tally.total, completed=snapshot.tally.done,
                             details=snapshot.details())


class _Lines:
    """One plain line every few seconds, for CI logs and pipes."""

    def __init__(self, stream: TextIO, every: float) -> None:
        self.stream, self.every = stream, every

    def show(self, snapshot: ProgressSnapshot) -> None:
        self.stream.write(snapshot.line() + "\n")
        self.stream.flush()


class _UsageReader:
    """The run's model calls, tokens and cost from the store; the last figures read when the store is busy."""

    def __init__(self, tally: RunTally) -> None:
        self.tally, self.last = tally, UsageTotals()

    def read(self) -> UsageTotals:
        if self.tally.store is not None and self.tally.flow_run_id is not None:
            try:
                self.last = self.tally.store.usage_totals(self.tally.flow_run_id)
            except SQLAlchemyError:
                pass  # a locked or unreachable store: show the figures read before, try again next time
        return self.last


@contextmanager
def showing_progress(tally: RunTally, stream: TextIO | None = None) -> Iterator[None]:
    """Show the run's progress on stream (stderr) while the block runs, and its final figures when it ends."""
    stream = stream or sys.stderr
    console = Console(file=stream, markup=False)  # log lines print through it: `[/tmp/a.txt]` is no markup tag
    usage = _UsageReader(tally)
    with ExitStack() as stack:
        display: _Display
        if console.is_terminal:
            bar = _Bar(console)
            stack.enter_context(bar.progress)
            stack.enter_context(logs_above(console))
            display = bar
        else:
            display = _Lines(stream, Settings().progress_interval_seconds)
        stopped = threading.Event()

        def follow() -> None:
            while not stopped.wait(display.every):
                display.show(ProgressSnapshot.of(tally, usage.read()))

        follower = threading.Thread(target=follow, name="agentic-run-progress", daemon=True)
        follower.start()
        try:
            yield
        finally:
            stopped.set()
            follower.join()
            display.show(ProgressSnapshot.of(tally, usage.read()))
