"""Two processes given the same documents at the same time: each model call is made once.

The cache keys are SERIALIZABLE: the worker that reaches a step first holds its lock and computes it,
the other waits and reads the result. Shown with the file locks of one machine and with Redis.
With AGENTIC_LOCK_URL=none the same two runs (measured with 2 s model calls) made twice the model calls.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

MODEL_LATENCY_SECONDS = 1.5
DOCUMENTS = 16
MODEL_STEPS = 3


def _redis_answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


def _two_runs_at_once(samples: Path, lock_url: str) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "AGENTIC_LOCK_URL": lock_url, "AGENTIC_LOCK_LEASE_SECONDS": "120"}
    runs = [subprocess.Popen([sys.executable, "-m", "flows.document_pipeline", str(samples)], cwd=REPO_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    finished = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=240)
        finished.append(subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr))
    return finished


@pytest.mark.parametrize("lock_backend", ["file", "redis"])
def test_two_processes_on_the_same_documents_make_each_model_call_once(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path, tmp_path: Path, lock_backend: str
) -> None:
    if lock_backend == "redis" and not _redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    lock_url = f"file:{tmp_path / 'locks'}" if lock_backend == "file" else f"redis://127.0.0.1:6379/{os.getpid() % 16}"
    model_server, _ = served_environment
    model_server.faults.latency = MODEL_LATENCY_SECONDS

    runs = _two_runs_at_once(samples, lock_url)

    for run in runs:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert f"{DOCUMENTS} processed, 1 rejected, 0 failed" in run.stdout
    calls = Counter(record.fingerprint for record in model_server.log.ok())
    print(f"processes=2 documents={DOCUMENTS} model calls={sum(calls.values())} distinct={len(calls)} "
          f"duplicated={sum(n - 1 for n in calls.values())}")
    assert len(calls) == DOCUMENTS * MODEL_STEPS
    assert sum(calls.values()) == DOCUMENTS * MODEL_STEPS, "a model call was made by both processes"
