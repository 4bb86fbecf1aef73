"""`python -m deployments.dead_letters` on a seeded store: list, show, discard, and a replay on the offline model."""

from __future__ import annotations

import pytest

from blocks.dead_letters import DeadLetters
from blocks.store import PipelineStore
from domain.models.common import content_id
from domain.models.documents import DocumentOutcome
from tests.conftest import run_python

TEXT = "Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024."
RAW_OUTPUT = 'Sure! here is {"entities": [{"name": "Amara'


@pytest.fixture
def seeded() -> DeadLetters:
    """A failed document (its text stored) twice at extraction, and one rejected input."""
    store = PipelineStore.from_environment()
    letters = DeadLetters(store)
    failed = DocumentOutcome(source="/in/report.txt", document_id=content_id(TEXT), status="failed",
                             failed_step="extract_entities", error="InvalidModelOutput: not the requested structure")
    store.save_outcome(failed, TEXT, "run-1")
    letters.record(failed, "run-1")
    letters.record(failed, "run-2", raw_output=RAW_OUTPUT)
    letters.record(DocumentOutcome(source="/in/scan.png", document_id="b2" * 32, status="rejected",
                                   failed_step="validate", error="/in/scan.png: binary content"), "run-2")
    return letters


def _cli(*args: str) -> tuple[int, str]:
    done = run_python("-m", "deployments.dead_letters", *args)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, done.stdout


def test_list_show_and_discard(seeded: DeadLetters) -> None:
    code, listing = _cli("list")
    assert code == 0
    for expected in ("id", "document", "step", "error type", "attempts", "last seen", "status",
                     f"report.txt [{content_id(TEXT)[:12]}]", "extract_entities", "InvalidModelOutput",
                     "scan.png [b2b2b2b2b2b2]", "InvalidInput", "2 dead letter(s)"):
        assert expected in listing, expected
    assert "│ 2        │" in listing, "attempts column"

    code, shown = _cli("show", "1")
    assert code == 0
    for expected in ("status:           open", "attempts:         2", "flow run:         run-2",
                     content_id(TEXT), "not the requested structure", RAW_OUTPUT):
        assert expected in shown, expected

    code, discarded = _cli("discard", "2", "99")
    assert code == 1 and "discarded 1 dead letter(s): 2" in discarded and "no dead letter 99" in discarded
    code, listing = _cli("list", "--step", "validate", "--status", "all")
    assert code == 0 and "discarded" in listing and "report.txt" not in listing and "1 dead letter(s)" in listing


def test_replay_runs_the_pipeline_and_prints_what_it_did(seeded: DeadLetters) -> None:
    code, out = _cli("replay")
    assert code == 0, out
    assert "2 dead letters: 1 replayed, 0 still failing, 1 not replayable" in out
    assert "rejected input" in out and "document pipeline run" in out
    assert [(r.id, r.status) for r in seeded.list()] == [(1, "replayed"), (2, "open")]
