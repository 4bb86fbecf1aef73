"""SIGKILL a pipeline mid-run, run it again: no finished model call repeats, every document stored once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.conftest import REPO_ROOT, run_python, wait_until

pytestmark = pytest.mark.e2e

CALLS_BEFORE_CRASH = 10
PERSIST_GRACE_SECONDS = 3
HELD_CALL_TIMEOUT_SECONDS = 60
"""The crashed run's calls held at the gate wait for the kill instead of timing out (timeouts would open the model's
circuit breaker, whose state in the store the rerun would find)."""


def test_a_killed_run_resumes_without_repeating_finished_model_calls(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path
) -> None:
    model_server, _ = served_environment
    model_server.faults.hold_after(CALLS_BEFORE_CRASH)
    crashed = subprocess.Popen(
        [sys.executable, "-m", "flows.document_pipeline", str(samples)],
        cwd=REPO_ROOT, env={**os.environ, "AGENTIC_LLM_TIMEOUT_SECONDS": str(HELD_CALL_TIMEOUT_SECONDS)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: model_server.log.count(outcome="ok") >= CALLS_BEFORE_CRASH, 120, "the first model calls")
        time.sleep(PERSIST_GRACE_SECONDS)  # the answered calls finish their tasks and persist their results
        finished_before_crash = {r.fingerprint for r in model_server.log.ok()}
        crashed.send_signal(signal.SIGKILL)
        crashed.wait(timeout=10)
    finally:
        if crashed.poll() is None:
            crashed.kill()
    assert crashed.returncode == -signal.SIGKILL
    assert len(finished_before_crash) >= CALLS_BEFORE_CRASH, "calls already past the gate may finish too"
    model_server.faults.clear()
    model_server.faults.release()
    time.sleep(0.5)  # requests held when the process died are answered to no one
    resumed_from = time.time()

    rerun = run_python("-m", "flows.document_pipeline", str(samples))

    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "16 processed, 1 rejected, 0 failed" in rerun.stdout
    after_resume = [r for r in model_server.log.ok() if r.started >= resumed_from]
    repeated = finished_before_crash & {r.fingerprint for r in after_resume}
    print(f"documents=17 model calls before crash={len(finished_before_crash)} after resume={len(after_resume)} "
          f"repeated={len(repeated)}")
    assert repeated == set(), "a model call that finished before the crash was made again"
    with Session(PipelineStore.from_environment().engine()) as session:
        documents = session.exec(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all()
        paid = session.exec(select(func.count()).select_from(ModelUsageRow)).one()
    assert dict(documents) == {"processed": 16, "rejected": 1}, "every document stored exactly once"
    assert paid == len(finished_before_crash) + len(after_resume), "each model call paid for exactly once"
