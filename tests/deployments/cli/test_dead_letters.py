"""`agentic dead-letters` on a seeded store: list, show, discard (tables and JSON), a replay on the offline model."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.common import content_id
from agentic_kit._domain.models.documents import DocumentOutcome
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


def _cli(agentic: Callable[..., Result], *args: str) -> tuple[int, str, str]:
    """`agentic dead-letters args…`: exit code, stdout, stderr."""
    result = agentic("dead-letters", *args)
    return result.exit_code, result.stdout, result.stderr


def test_list_show_and_discard(seeded: DeadLetters, agentic: Callable[..., Result]) -> None:
    code, listing, _ = _cli(agentic, "list")
    assert code == 0
    for expected in ("id", "document", "step", "error type", "attempts", "last seen", "status",
                     f"report.txt [{content_id(TEXT)[:12]}]", "extract_entities", "InvalidModelOutput",
                     "scan.png [b2b2b2b2b2b2]", "InvalidInput", "2 dead letter(s)"):
        assert expected in listing, expected
    assert "│ 2        │" in listing, "attempts column"

    code, shown, _ = _cli(agentic, "show", "1")
    assert code == 0
    for expected in ("status:           open", "attempts:         2", "flow run:         run-2",
                     content_id(TEXT), "not the requested structure", RAW_OUTPUT):
        assert expected in shown, expected

    code, _, missing = _cli(agentic, "show", "99")
    assert code == 3 and missing.strip() == "agentic: no dead letter 99"

    code, discarded, unknown = _cli(agentic, "discard", "2", "99")
    assert code == 3 and "discarded 1 dead letter(s): 2" in discarded and "no dead letter 99" in unknown
    alias = run_python("-m", "deployments.dead_letters", "list", "--step", "validate", "--status", "all",
                       env={"COLUMNS": "160"})
    listing = alias.stdout
    assert alias.returncode == 0 and "discarded" in listing and "report.txt" not in listing, alias.stderr[-2000:]
    assert "1 dead letter(s)" in listing


def test_list_and_show_print_json_a_script_reads(seeded: DeadLetters, agentic: Callable[..., Result]) -> None:
    code, out, _ = _cli(agentic, "list", "--json", "--error-type", "InvalidModelOutput", "--since", "2000-01-01")
    assert code == 0
    [row] = json.loads(out)
    assert (row["id"], row["attempts"], row["step"], row["raw_output"]) == (1, 2, "extract_entities", RAW_OUTPUT)

    code, out, _ = _cli(agentic, "show", "2", "--json")
    assert code == 0 and json.loads(out)["inputs_ref"] is None and json.loads(out)["status"] == "open"

    code, out, _ = _cli(agentic, "list", "--json", "--since", "2999-01-01")
    assert code == 0 and json.loads(out) == []

    code, _, error = _cli(agentic, "list", "--status", "closed")
    assert code == 2 and "--status 'closed' is not one of open, replayed, discarded, all" in error


def test_replay_runs_the_pipeline_and_prints_what_it_did(seeded: DeadLetters, agentic: Callable[..., Result]) -> None:
    code, out, _ = _cli(agentic, "replay", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["headline"] == "2 dead letters: 1 replayed, 0 still failing, 1 not replayable"
    assert [(item["id"], item["result"]) for item in report["items"]] == [(1, "replayed"), (2, "not_replayable")]
    assert report["pipeline_flow_run_id"]
    assert [(r.id, r.status) for r in seeded.list()] == [(1, "replayed"), (2, "open")]

    code, out, _ = _cli(agentic, "replay")
    assert code == 0 and "1 dead letters: 0 replayed, 0 still failing, 1 not replayable" in out
    assert "rejected input" in out
