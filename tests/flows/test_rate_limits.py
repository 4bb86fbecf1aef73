"""A model's requests-per-minute limit holds across two worker processes (measured at the model server)."""

from __future__ import annotations

import os
import subprocess
import sys

from agentic_kit.testing import ModelServer
from deployments.concurrency import ensure_concurrency_limits
from tests.conftest import REPO_ROOT, served_model

REQUESTS_PER_MINUTE = 240
DOCUMENTS_PER_PROCESS = 4


async def test_a_rate_limit_holds_across_two_processes(model_server: ModelServer) -> None:
    block = served_model(model_server).model_copy(update={"requests_per_minute": REQUESTS_PER_MINUTE})
    await block.asave("rate-limited-test", overwrite=True)
    await ensure_concurrency_limits(tuple(block.limits().specs()))

    workers = [
        subprocess.Popen(  # noqa: ASYNC220 (the workers run beside the loop; the test waits for them at the end)
            [sys.executable, "-m", "flows.document_pipeline", "--language-model", "rate-limited-test",
             *(arg for n in range(DOCUMENTS_PER_PROCESS)
               for arg in ("--text", f"Worker {worker} document {n}: Amara Okafor met Lukas Brandt in Hamburg."))],
            cwd=REPO_ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for worker in range(2)
    ]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs[0][-2000:] + outputs[1][-2000:]

    starts = sorted(r.started for r in model_server.log.records)
    span = starts[-1] - starts[0]
    [spec] = block.limits().specs()
    allowed = spec.limit + spec.slot_decay_per_second * span
    print(f"processes=2 requests={len(starts)} span={span:.1f}s measured={len(starts) / span * 60:.0f}/min "
          f"limit={REQUESTS_PER_MINUTE}/min allowed={allowed:.0f}")
    assert len(starts) == 2 * DOCUMENTS_PER_PROCESS * 3
    assert len(starts) <= allowed + 1, "more requests than the limit lets through"
    for start in starts:
        window = [s for s in starts if start <= s < start + 2.0]
        assert len(window) <= spec.limit + spec.slot_decay_per_second * 2.0 + 1, "a burst over the limit"
