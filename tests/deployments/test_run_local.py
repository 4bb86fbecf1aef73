"""`make run`'s program (`agentic run`): samples processed with the offline model, a table, totals, a UI link; then all
cached."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_python

pytestmark = pytest.mark.e2e

EMBEDDED_DEFAULTS = {"AGENTIC_TOOL_TIMEOUT_SECONDS": "30"}
"""The embedded run with its own default tool timeout: the suite's 3 s (tests/conftest.py) is for fault tests, and the
bundled service, a process of its own, can take that long to answer a burst while the suite loads both cores."""


def test_the_embedded_default_runs_and_a_second_run_makes_no_model_call() -> None:
    first = run_python("-m", "agentic_kit", "run", env=EMBEDDED_DEFAULTS)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Traceback" not in first.stdout + first.stderr
    for expected in ("document", "entities", "summary", "review", "status",
                     "17 processed, 1 rejected, 0 failed", "tokens:",
                     "model: offline", "run in the Prefect UI: http://127.0.0.1:"):
        assert expected in first.stdout, expected

    made = re.search(r"(\d+) model calls made", first.stdout)
    assert made and int(made.group(1)) > 17 * 3, "the long contract is read in parts"
    assert "18-scanned-receipt.pdf" in first.stdout and "no text layer" in first.stdout

    second = run_python("-m", "agentic_kit", "run", env=EMBEDDED_DEFAULTS)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"0 model calls made, {made.group(1)} model steps from cache" in second.stdout
    assert "0 model calls: every model step came from cache." in second.stdout
