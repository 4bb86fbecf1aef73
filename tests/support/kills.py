"""A pipeline command SIGKILLed mid-run, held at the model server: what was answered before the kill, and the moment
a rerun starts from once the server answers again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

from agentic_kit.testing import ModelServer
from tests.conftest import REPO_ROOT, wait_until

PERSIST_GRACE_SECONDS = 3
"""How long the answered calls get to finish their tasks and persist their results before the kill."""
HELD_CALL_TIMEOUT_SECONDS = 60
"""The killed run's calls held at the gate wait for the kill instead of timing out (timeouts would open the model's
circuit breaker, whose state in the store the rerun would find)."""


def killed_after_answers(server: ModelServer, argv: list[str], answers: int,
                         env: Mapping[str, str] | None = None) -> set[str]:
    """Run `python argv…` with the server holding every request after `answers` answered ones, SIGKILL its process
    group once they are answered and persisted, and return the fingerprints of the requests answered before."""
    server.faults.hold_after(answers)
    crashed = subprocess.Popen(
        [sys.executable, *argv], cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "AGENTIC_LLM_TIMEOUT_SECONDS": str(HELD_CALL_TIMEOUT_SECONDS), **(env or {})},
        start_new_session=True)
    try:
        wait_until(lambda: server.log.count(outcome="ok") >= answers, 120, "the first model calls")
        time.sleep(PERSIST_GRACE_SECONDS)
        finished = {record.fingerprint for record in server.log.ok()}
        os.killpg(crashed.pid, signal.SIGKILL)
        crashed.wait(timeout=10)
    finally:
        if crashed.poll() is None:
            os.killpg(crashed.pid, signal.SIGKILL)
    assert crashed.returncode == -signal.SIGKILL
    return finished


def answering_again(server: ModelServer) -> float:
    """Let the server answer again after the kill; the moment a rerun starts from."""
    server.faults.clear()
    server.faults.release()
    time.sleep(0.5)  # requests held when the process died are answered to no one
    return time.time()
