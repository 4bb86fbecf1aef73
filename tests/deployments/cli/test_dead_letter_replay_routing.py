"""`agentic dead-letters replay` sends each letter through the replay flow of the pipeline that recorded it: a flow
of a project module (here one written into the test's folder), never the document pipeline's; an entrypoint that
cannot be imported leaves its letters open (exit 4)."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.documents import DocumentOutcome

TRIAGE = "ticket-triage"
ITEM = "5" * 64
"""The ticket's id, which is also the id of a document the document pipeline gave up on at the same step."""

REPLAY_MODULE = '''
"""A team's replay flow: triage the letters' tickets again (here: read them) and mark them replayed."""

import json
from pathlib import Path

from prefect import flow

from agentic_kit.store import REPLAYED, DeadLetters, PipelineStore


@flow(name="ticket-triage-replay")
def replay_tickets(ids: list[int], store: str | None = None) -> list[str]:
    letters = DeadLetters(PipelineStore.from_environment())
    rows = [row for row in letters.list(ids=ids, status="open", pipeline="ticket-triage") if row.item_payload]
    letters.mark([row.id for row in rows], REPLAYED)
    subjects = [json.loads(row.item_payload)["subject"] for row in rows]
    Path(__file__).with_suffix(".ran").write_text(json.dumps({"ids": ids, "subjects": subjects, "store": store}))
    return subjects
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A project folder (the current directory) holding a replay flow module; the module's name."""
    module = f"triage_replay_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(REPLAY_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the command puts the project folder first: undone after
    return module


def _letters() -> DeadLetters:
    return DeadLetters(PipelineStore.from_environment())


def _ticket(letters: DeadLetters, entrypoint: str) -> int:
    """Ticket triage gives up on ticket ITEM at `classify`; the letter's id."""
    row = letters.record_item(
        pipeline=TRIAGE, item_id=ITEM, source="https://tickets.example/T-7", step="classify", error_type="Timeout",
        error_message="the classifier did not answer", flow_run_id="run-1",
        item_payload=json.dumps({"id": "T-7", "subject": "printer on fire"}), replay_entrypoint=entrypoint,
    )
    assert row.id is not None
    return row.id


def test_replay_runs_the_flow_of_the_pipeline_that_recorded_the_letter(
    project: str, agentic: Callable[..., Result], tmp_path: Path
) -> None:
    letters = _letters()
    ticket = _ticket(letters, f"{project}:replay_tickets")
    document = letters.record(DocumentOutcome(source="/in/a.txt", document_id=ITEM, status="failed",
                                              failed_step="classify", error="ConnectionFailed: refused"), "run-1")

    result = agentic("dead-letters", "replay", "--id", str(ticket), "--json")

    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["headline"] == "1 dead letters: 1 replayed, 0 still failing, 0 not replayable"
    assert [(item["id"], item["result"]) for item in report["items"]] == [(ticket, "replayed")]
    [replay] = report["replays"]
    assert (replay["entrypoint"], replay["pipelines"], replay["ids"], replay["state"]) == (
        f"{project}:replay_tickets", [TRIAGE], [ticket], "Completed")
    assert report["pipeline_flow_run_id"] is None, "no document pipeline ran"
    ran = json.loads((tmp_path / f"{project}.ran").read_text())
    assert ran == {"ids": [ticket], "subjects": ["printer on fire"], "store": None}, "THAT flow took the letter"
    assert [(r.id, r.pipeline, r.status) for r in letters.list()] == [
        (ticket, TRIAGE, "replayed"), (document.id, "document-pipeline", "open")]

    again = agentic("dead-letters", "replay", "--id", str(ticket))
    assert again.exit_code == 0 and "0 dead letters: 0 replayed" in again.stdout, "a replayed letter is not taken"


def test_each_letter_goes_to_its_own_pipeline_and_the_table_names_them(
    project: str, agentic: Callable[..., Result], tmp_path: Path
) -> None:
    letters = _letters()
    ticket = _ticket(letters, f"{project}:replay_tickets")
    rejected = letters.record(DocumentOutcome(source="/in/scan.png", document_id="c3" * 32, status="rejected",
                                              failed_step="validate", error="/in/scan.png: binary content"), "run-1")

    listing = agentic("dead-letters", "list", "--pipeline", TRIAGE)
    assert listing.exit_code == 0 and "pipeline" in listing.stdout and TRIAGE in listing.stdout
    assert "scan.png" not in listing.stdout and "1 dead letter(s)" in listing.stdout
    shown = agentic("dead-letters", "show", str(ticket))
    assert f"replay flow:      {project}:replay_tickets" in shown.stdout and "printer on fire" in shown.stdout

    result = agentic("dead-letters", "replay")

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 dead letters: 1 replayed, 0 still failing, 1 not replayable" in result.stdout
    assert f"replayed by {project}:replay_tickets" in result.stdout
    assert json.loads((tmp_path / f"{project}.ran").read_text())["ids"] == [ticket]
    assert [(r.id, r.status) for r in letters.list()] == [(ticket, "replayed"), (rejected.id, "open")]


def test_an_entrypoint_that_cannot_be_imported_leaves_the_letter_open(
    project: str, agentic: Callable[..., Result]
) -> None:
    letters = _letters()
    missing = _ticket(letters, "no_such_project_module:replay_tickets")

    result = agentic("dead-letters", "replay", "--id", str(missing))

    assert result.exit_code == 4, result.stdout + result.stderr
    assert "cannot import the replay flow no_such_project_module:replay_tickets" in result.stderr
    assert f"dead letter(s) {missing}" in result.stderr and "they stay open" in result.stderr
    assert [(r.id, r.status, r.attempts) for r in letters.list()] == [(missing, "open", 1)]

    letters.mark([missing], "discarded")
    not_a_flow = _ticket(letters, f"{project}:json")
    result = agentic("dead-letters", "replay", "--id", str(not_a_flow))
    assert result.exit_code == 4 and f"{project} has no Prefect flow called json" in result.stderr
    assert letters.get(not_a_flow).status == "open"  # type: ignore[union-attr]
