"""The human review gate: one pause for all low-scoring documents, decisions applied and stored."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from uuid import UUID, uuid4

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow
from agentic_kit._domain.models.common import content_id
from agentic_kit._operate.cli.app import app
from agentic_kit._operate.cli.output import EXIT_NOT_FOUND, EXIT_USAGE
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport

TEXTS = [
    "Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024 to sign the freight contract.",
    "Lukas Brandt signed the analytics agreement with Halvorsen Analytics GmbH in Hamburg.",
    "Priya Raman reported a sensor fault at the Portland warehouse of Kestrel Freight Corp.",
]
ALWAYS = 1.01
"""A threshold above any score: every processed document goes to review."""


async def _paused_run(timeout: float = 60) -> UUID:
    """The id of the flow run waiting for review."""
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    async with get_client() as client:
        for _ in range(int(timeout * 2)):
            runs = await client.read_flow_runs(flow_run_filter=paused)
            if runs:
                return runs[0].id
            await asyncio.sleep(0.5)
    raise AssertionError("no run paused for review")


async def _agentic(*args: str) -> Result:
    """`agentic ARGS…` in a thread of its own (the command runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


def _stored() -> dict[str, DocumentRow]:
    with Session(PipelineStore.from_environment().engine()) as session:
        return {row.id: row for row in session.exec(select(DocumentRow)).all()}


async def test_a_paused_run_is_listed_then_resumed_with_a_decision_file_and_stores_each_decision(
    tmp_path: Path
) -> None:
    run = asyncio.create_task(document_pipeline(texts=TEXTS, review_threshold=ALWAYS, return_state=True))
    flow_run_id = await _paused_run()
    assert _stored() == {}, "nothing is stored before the decision"
    approve, reject, undecided = (content_id(t) for t in TEXTS)

    listed = await _agentic("review", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    [waiting] = [r for r in json.loads(listed.stdout) if r["flow_run_id"] == str(flow_run_id)]
    assert waiting["url"].endswith(f"/runs/flow-run/{flow_run_id}") and waiting["waiting_since"]
    assert {d["document_id"] for d in waiting["documents"]} == {approve, reject, undecided}
    assert all(d["summary"] and 0 <= d["score"] < ALWAYS for d in waiting["documents"])
    shown = (await _agentic("review", "list")).stdout
    assert str(flow_run_id) in shown and "inline text #2" in shown and "Lukas Brandt" in shown
    decision_file = tmp_path / "decisions.json"
    decision_file.write_text(json.dumps({"decisions": [
        {"document_id": approve, "decision": "approve", "summary": "Okafor signed in Bristol.", "note": "tightened"},
        {"document_id": reject, "decision": "reject", "note": "wrong counterparty"},
    ]}))

    resumed = await _agentic("review", "resume", str(flow_run_id), str(decision_file))
    assert resumed.exit_code == 0, resumed.stderr
    assert "with 2 decision(s); 1 document(s) get the default" in resumed.stdout
    state = await asyncio.wait_for(run, timeout=60)
    report = await state.aresult()

    assert state.is_completed() and isinstance(report, PipelineReport)
    rows = _stored()
    assert (rows[approve].status, rows[approve].review_decision, rows[approve].reviewer_note) == \
        ("processed", "edit", "tightened")
    assert next(o for o in report.outcomes if o.document_id == approve).summary == "Okafor signed in Bristol."
    assert (rows[reject].status, rows[reject].review_decision) == ("rejected", "reject")
    assert "wrong counterparty" in (rows[reject].error or "")
    assert (rows[undecided].status, rows[undecided].review_decision) == ("rejected", "reject"), "the default"


async def test_without_an_answer_the_default_decision_applies_after_the_timeout() -> None:
    state = await document_pipeline(texts=TEXTS[:2], review_threshold=ALWAYS, review_timeout_seconds=3,
                                    review_default="approve", return_state=True)
    report = await state.aresult()
    assert state.is_completed(), state.message
    assert [o.review_decision for o in report.outcomes] == ["approve", "approve"]
    assert all("no decision given in time" in (o.reviewer_note or "") for o in report.outcomes)
    assert {row.status for row in _stored().values()} == {"processed"}


async def test_resuming_a_run_not_waiting_or_with_a_bad_file_says_why_in_one_line(tmp_path: Path) -> None:
    decision_file = tmp_path / "decisions.json"
    decision_file.write_text(json.dumps({"decisions": [{"document_id": "x", "decision": "maybe"}]}))
    bad = await _agentic("review", "resume", str(uuid4()), str(decision_file))
    assert (bad.exit_code, bad.stderr.count("\n")) == (EXIT_USAGE, 1) and "not a usable decision file" in bad.stderr
    decision_file.write_text(json.dumps({"decisions": []}))
    missing = await _agentic("review", "resume", str(uuid4()), str(decision_file))
    assert missing.exit_code == EXIT_NOT_FOUND and "does not exist" in missing.stderr


async def test_a_review_schedule_that_cannot_be_kept_is_refused() -> None:
    state = await document_pipeline(texts=TEXTS[:1], review_reminder_seconds=60, review_escalation_seconds=30,
                                    return_state=True)
    assert state.is_failed()
    assert "review_escalation_seconds (30) must be later than review_reminder_seconds (60)" in state.message


async def test_documents_above_the_threshold_never_wait() -> None:
    state = await document_pipeline(texts=TEXTS[:1], review_threshold=0.0, return_state=True)
    report = await state.aresult()
    assert state.is_completed() and report.outcomes[0].review_decision is None
