"""The dead-letter store on SQLite always and on PostgreSQL when one answers on 127.0.0.1:5432."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.events import DEAD_LETTER_RECORDED
from agentic_kit._domain.models.documents import DocumentOutcome
from tests.conftest import wait_for_events
from tests.support.postgres import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def letters(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DeadLetters]:
    """Dead letters in a store on each database this machine has."""
    if request.param == "sqlite":
        yield DeadLetters(PipelineStore(database_url=SecretStr(f"sqlite:///{tmp_path / 'letters.db'}")))
    else:
        yield from (DeadLetters(PipelineStore(database_url=SecretStr(url))) for url in postgres_database())


def _failed(name: str = "a.txt", step: str = "enrich", error: str = "ConnectionFailed: refused") -> DocumentOutcome:
    return DocumentOutcome(source=f"/in/{name}", document_id=uuid.uuid4().hex * 2, status="failed",
                           failed_step=step, error=error)


def _rejected(name: str = "bad.bin") -> DocumentOutcome:
    return DocumentOutcome(source=f"/in/{name}", document_id=uuid.uuid4().hex * 2, status="rejected",
                           failed_step="validate", error=f"/in/{name}: binary content, not a text document")


def test_recording_the_same_document_and_step_twice_keeps_one_row_with_two_attempts(letters: DeadLetters) -> None:
    outcome = _failed()
    first = letters.record(outcome, "run-1")
    time.sleep(0.01)
    again = letters.record(outcome, "run-2", raw_output='Sure! {"entities": [')

    [row] = letters.list()
    assert row.id == first.id == again.id
    assert (row.attempts, row.flow_run_id, row.status) == (2, "run-2", "open")
    assert (row.step, row.error_type, row.error_message) == ("enrich", "ConnectionFailed", "refused")
    assert row.first_seen == first.first_seen and row.last_seen > first.last_seen
    assert row.raw_output == 'Sure! {"entities": ['
    assert row.inputs_ref == f"documents.text:{outcome.document_id}"
    assert letters.record(outcome, "run-3").raw_output == row.raw_output, "a later record without raw output keeps it"


def test_once_settled_the_same_failure_opens_a_new_dead_letter(letters: DeadLetters) -> None:
    outcome = _failed()
    settled = letters.record(outcome, "run-1")
    assert settled.id is not None
    assert [r.id for r in letters.mark([settled.id], "replayed")] == [settled.id]
    reopened = letters.record(outcome, "run-2")

    assert reopened.id != settled.id and reopened.attempts == 1
    assert [(r.id, r.status) for r in letters.list()] == [(settled.id, "replayed"), (reopened.id, "open")]
    with pytest.raises(ValueError, match="already has an open dead letter"):
        letters.mark([settled.id], "open")


def test_rejected_input_has_no_inputs_to_replay(letters: DeadLetters) -> None:
    row = letters.record(_rejected(), "run-1")
    assert (row.step, row.error_type, row.inputs_ref) == ("validate", "InvalidInput", None)
    assert "binary content" in row.error_message and letters.inputs(row) is None
    with pytest.raises(ValueError, match="only failed or rejected"):
        letters.record(DocumentOutcome(source="ok.txt", document_id="f" * 64, status="processed"), "run-1")


def test_the_inputs_of_a_failed_document_are_its_stored_text(letters: DeadLetters) -> None:
    outcome = _failed()
    letters.store.save_outcome(outcome, "Amara Okafor visited Bristol.", "run-1")
    assert letters.inputs(letters.record(outcome, "run-1")) == "Amara Okafor visited Bristol."


def test_list_filters_and_mark(letters: DeadLetters) -> None:
    enrich = letters.record(_failed("a.txt"), "run-1")
    summarize = letters.record(_failed("b.txt", "summarize", "InvalidModelOutput: not JSON"), "run-1")
    rejected = letters.record(_rejected(), "run-1")
    ids = [enrich.id, summarize.id, rejected.id]

    def listed(**filters: Any) -> list[int | None]:
        return [row.id for row in letters.list(**filters)]

    assert listed() == ids
    assert listed(step="summarize") == [summarize.id]
    assert listed(error_type="InvalidInput") == [rejected.id]
    assert listed(ids=[rejected.id, enrich.id]) == [enrich.id, rejected.id]
    assert listed(since=datetime.now(UTC) - timedelta(minutes=5), limit=2) == ids[:2]
    assert listed(since=datetime.now(UTC) + timedelta(minutes=5)) == []

    changed = letters.mark([enrich.id, rejected.id, 999_999], "discarded")  # type: ignore[list-item]
    assert sorted(r.id for r in changed) == sorted([enrich.id, rejected.id])  # type: ignore[type-var]
    assert {r.status for r in changed} == {"discarded"}
    assert letters.mark([enrich.id], "discarded") == [], "marking again changes nothing"  # type: ignore[list-item]
    assert listed(status="open") == [summarize.id]
    assert listed(status="discarded", step="enrich") == [enrich.id]
    assert letters.get(rejected.id).status == "discarded"  # type: ignore[arg-type, union-attr]
    assert letters.get(999_999) is None
    with pytest.raises(ValueError, match="unknown dead-letter status"):
        letters.mark([summarize.id], "lost")  # type: ignore[arg-type, list-item]


async def test_recording_announces_the_dead_letter_to_prefect(letters: DeadLetters) -> None:
    outcome = _failed("announced.txt")
    row = await asyncio.to_thread(letters.record, outcome, "run-1")

    deadline = time.monotonic() + 20
    while True:
        events = [e for e in await wait_for_events(DEAD_LETTER_RECORDED)
                  if e.payload.get("document_id") == outcome.document_id]
        if events or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    [event] = events
    assert event.resource.id == f"agentic.dead_letter.{row.id}"
    assert {k: event.payload[k] for k in ("step", "error_type", "source")} == {
        "step": "enrich", "error_type": "ConnectionFailed", "source": "/in/announced.txt"}
    assert f"agentic.document.{outcome.document_id}" in [r.id for r in event.related]
