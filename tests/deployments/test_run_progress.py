"""The progress figures in words, and the plain lines a log that is not a terminal gets while a run works."""

from __future__ import annotations

import io
import time

import pytest

from agentic_kit._domain.models.common import UsageTotals
from agentic_kit._domain.models.documents import DocumentOutcome
from agentic_kit._operate.run_progress import ProgressSnapshot, showing_progress
from agentic_kit._steps.run_tally import RunTally


def outcome(status: str) -> DocumentOutcome:
    return DocumentOutcome(source="a.txt", document_id="d", status=status)


def test_a_line_gives_counts_spending_rate_and_time_left() -> None:
    tally = RunTally()
    tally.total, tally.rejected, tally.done = 10, 1, 1
    tally.done_at_start = 1
    for status in ("processed", "processed", "failed", "processed"):
        tally.finished(outcome(status), waiting_for_review=False)
    tally.finished(outcome("processed"), waiting_for_review=True)
    tally.started = time.monotonic() - 75  # five documents in 75 s: 4 a minute, the four left take a minute

    usage = UsageTotals(calls=12, input_tokens=1_150_000, output_tokens=50_000, cost_usd=0.5)
    line = ProgressSnapshot.of(tally, usage).line()
    assert line == ("progress: 6/10 documents (1 failed, 1 rejected, 1 waiting for review), 12 model calls, "
                    "1.2M tokens, $0.5000, 4.0 documents/min, about 1 min left")


def test_the_final_line_has_the_settled_counts_and_no_time_left() -> None:
    tally = RunTally(total=3)
    tally.started = time.monotonic() - 30
    tally.settle([outcome("processed"), outcome("rejected"), outcome("failed")])
    line = ProgressSnapshot.of(tally, UsageTotals(calls=2, input_tokens=900, output_tokens=100, cost_usd=12.5)).line()
    assert line == ("progress: 3/3 documents (1 failed, 1 rejected, 0 waiting for review), 2 model calls, "
                    "1.0k tokens, $12.50, 6.0 documents/min, finished")


def test_plain_lines_every_interval_then_the_final_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_PROGRESS_INTERVAL_SECONDS", "0.1")
    stream = io.StringIO()
    tally = RunTally()
    with showing_progress(tally, stream):
        time.sleep(0.25)
        tally.total = 2
        time.sleep(0.25)
        tally.settle([outcome("processed"), outcome("processed")])
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 4, lines
    assert lines[0] == "progress: starting, reading the input"
    assert lines[-1].startswith("progress: 2/2 documents (0 failed, 0 rejected, 0 waiting for review), 0 model calls")
