"""SIGKILL a pipeline mid-run, run it again: no finished model call repeats, every document stored once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.conftest import run_python
from tests.support.kills import answering_again, killed_after_answers

pytestmark = pytest.mark.e2e

CALLS_BEFORE_CRASH = 10


def test_a_killed_run_resumes_without_repeating_finished_model_calls(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path
) -> None:
    model_server, _ = served_environment
    finished_before_crash = killed_after_answers(model_server, ["-m", "flows.document_pipeline", str(samples)],
                                                 CALLS_BEFORE_CRASH)
    assert len(finished_before_crash) >= CALLS_BEFORE_CRASH, "calls already past the gate may finish too"
    resumed_from = answering_again(model_server)

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
