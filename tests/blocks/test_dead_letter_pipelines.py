"""Dead letters of several pipelines in one store, and a store from before letters named their pipeline: on SQLite
always and on PostgreSQL when one answers on 127.0.0.1:5432."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect, text

from agentic_kit._blocks import store as store_module
from agentic_kit._blocks.dead_letters import DOCUMENT_REPLAY_ENTRYPOINT, DeadLetters, replay_entrypoint_of
from agentic_kit._blocks.store import PipelineStore, normalized_url
from agentic_kit._domain.models.documents import DocumentOutcome
from tests.support.postgres import postgres_database

TRIAGE = "ticket-triage"
TRIAGE_REPLAY = "triage.replay:replay_tickets"
ITEM = "7" * 64
"""One item id both pipelines gave up on: a document's hash that is also a ticket's."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each database this machine has (no store opened on it yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'letters.db'}"
    else:
        yield from postgres_database()


@pytest.fixture
def letters(database_url: str) -> DeadLetters:
    """Dead letters in a new store."""
    return DeadLetters(PipelineStore(database_url=SecretStr(database_url)))


def _ticket_letter(letters: DeadLetters, run: str, **changes: Any) -> Any:
    """The ticket-triage pipeline gives up on ticket ITEM at `classify`."""
    fields: dict[str, Any] = {
        "pipeline": TRIAGE, "item_id": ITEM, "source": "https://tickets.example/T-42", "step": "classify",
        "error_type": "Timeout", "error_message": "the classifier did not answer", "flow_run_id": run,
        "item_payload": json.dumps({"id": "T-42", "subject": "printer on fire"}), "replay_entrypoint": TRIAGE_REPLAY,
    }
    return letters.record_item(**(fields | changes))


def _document_letter(letters: DeadLetters, run: str) -> Any:
    """The document pipeline gives up on document ITEM at `classify`, the step the ticket failed at."""
    return letters.record(DocumentOutcome(source="/in/a.txt", document_id=ITEM, status="failed",
                                          failed_step="classify", error="ConnectionFailed: refused"), run)


def test_two_pipelines_keep_their_own_open_letter_for_the_same_item_and_step(letters: DeadLetters) -> None:
    ticket = _ticket_letter(letters, "run-1")
    document = _document_letter(letters, "run-2")

    assert ticket.id != document.id
    assert [(r.pipeline, r.document_id, r.step, r.status) for r in letters.list()] == [
        (TRIAGE, ITEM, "classify", "open"), ("document-pipeline", ITEM, "classify", "open")]
    assert [r.id for r in letters.list(pipeline=TRIAGE)] == [ticket.id]
    assert [r.id for r in letters.list(pipeline="document-pipeline", status="open")] == [document.id]
    assert letters.list(pipeline="nobody's") == []
    assert (ticket.replay_entrypoint, json.loads(ticket.item_payload)["id"]) == (TRIAGE_REPLAY, "T-42")
    assert (document.replay_entrypoint, document.item_payload) == (DOCUMENT_REPLAY_ENTRYPOINT, None)
    assert document.inputs_ref == f"documents.text:{ITEM}" and ticket.inputs_ref is None
    assert letters.find_open(ITEM, "classify", TRIAGE).id == ticket.id  # type: ignore[union-attr]
    by_default = letters.find_open(ITEM, "classify")
    assert by_default is not None and by_default.id == document.id, "the document pipeline's by default"


def test_recording_again_while_open_counts_an_attempt_on_that_pipelines_letter(letters: DeadLetters) -> None:
    first = _ticket_letter(letters, "run-1")
    document = _document_letter(letters, "run-1")
    time.sleep(0.01)
    again = _ticket_letter(letters, "run-2", item_payload=None, error_message="still no answer")

    assert again.id == first.id and again.attempts == 2 and again.flow_run_id == "run-2"
    assert again.last_seen > first.last_seen and again.first_seen == first.first_seen
    assert again.error_message == "still no answer"
    assert json.loads(again.item_payload)["id"] == "T-42", "a record without the item keeps the one it had"
    other = letters.get(document.id)
    assert other is not None and other.attempts == 1, "the other pipeline's letter is not counted"

    assert letters.mark([first.id], "replayed") != []
    reopened = _ticket_letter(letters, "run-3")
    assert reopened.id not in (first.id, document.id) and reopened.attempts == 1


def test_the_document_pipeline_settles_only_its_own_letters(letters: DeadLetters) -> None:
    ticket = _ticket_letter(letters, "run-1")
    document = _document_letter(letters, "run-1")

    assert letters.settle_processed([ITEM]) == 1
    assert [letters.get(i).status for i in (document.id, ticket.id)] == ["replayed", "open"]  # type: ignore[union-attr]
    assert letters.settle_processed([ITEM], pipeline=TRIAGE) == 1
    assert letters.get(ticket.id).status == "replayed"  # type: ignore[union-attr]


def test_a_letter_is_checked_before_it_is_kept(letters: DeadLetters) -> None:
    with pytest.raises(ValueError, match="not module:attribute"):
        _ticket_letter(letters, "run-1", replay_entrypoint="triage/replay.py")
    with pytest.raises(ValueError, match="longer than 64 characters"):
        _ticket_letter(letters, "run-1", item_id="x" * 65)
    with pytest.raises(ValueError, match="needs its pipeline"):
        _ticket_letter(letters, "run-1", pipeline="")
    assert letters.list() == []
    unroutable = _ticket_letter(letters, "run-1", replay_entrypoint=None)
    assert replay_entrypoint_of(unroutable) is None, "another pipeline's letter never falls to the document replay"


OLD_TABLE = """
CREATE TABLE dead_letters (
    id {id_column},
    document_id VARCHAR(64) NOT NULL,
    source VARCHAR NOT NULL,
    flow_run_id VARCHAR,
    step VARCHAR NOT NULL,
    error_type VARCHAR NOT NULL,
    error_message VARCHAR NOT NULL,
    attempts INTEGER NOT NULL,
    inputs_ref VARCHAR,
    raw_output VARCHAR,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    CONSTRAINT ck_dead_letters_status CHECK (status IN ('open', 'replayed', 'discarded'))
)"""
"""The dead_letters table as a store had it before letters named their pipeline, replay flow and item."""

OLD_INDEXES = (
    "CREATE INDEX ix_dead_letters_document_id ON dead_letters (document_id)",
    "CREATE INDEX ix_dead_letters_step ON dead_letters (step)",
    "CREATE INDEX ix_dead_letters_error_type ON dead_letters (error_type)",
    "CREATE INDEX ix_dead_letters_last_seen ON dead_letters (last_seen)",
    "CREATE INDEX ix_dead_letters_status ON dead_letters (status)",
    "CREATE UNIQUE INDEX uq_dead_letters_open_item_step ON dead_letters (document_id, step) WHERE status = 'open'",
)

OLD_ROWS = """
INSERT INTO dead_letters (document_id, source, flow_run_id, step, error_type, error_message, attempts, inputs_ref,
                          raw_output, first_seen, last_seen, status)
VALUES (:item, '/in/a.txt', 'run-0', 'classify', 'ConnectionFailed', 'refused', 2, :ref, NULL,
        '2025-01-01 00:00:00', '2025-01-02 00:00:00', 'open'),
       (:other, '/in/b.txt', 'run-0', 'enrich', 'ConnectionFailed', 'refused', 1, NULL, NULL,
        '2025-01-01 00:00:00', '2025-01-01 00:00:00', 'replayed')
"""


def _old_store(url: str) -> None:
    """Make the dead_letters table of an older store, with two rows, before any store opens the database."""
    engine = create_engine(normalized_url(url))
    id_column = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text(OLD_TABLE.format(id_column=id_column)))
        for statement in OLD_INDEXES:
            connection.execute(text(statement))
        connection.execute(text(OLD_ROWS), {"item": ITEM, "ref": f"documents.text:{ITEM}", "other": "8" * 64})
    engine.dispose()


def test_an_older_store_gets_the_new_columns_and_index_when_opened(database_url: str) -> None:
    _old_store(database_url)
    letters = DeadLetters(PipelineStore(database_url=SecretStr(database_url)))

    old_open, old_replayed = letters.list()
    assert [(r.pipeline, r.replay_entrypoint, r.item_payload) for r in (old_open, old_replayed)] == [
        ("document-pipeline", None, None)] * 2, "the rows of an older store are the document pipeline's"
    assert (old_open.attempts, old_open.status, old_replayed.status) == (2, "open", "replayed")
    assert replay_entrypoint_of(old_open) == DOCUMENT_REPLAY_ENTRYPOINT
    engine = letters.store.engine()
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("dead_letters")}
    assert "uq_dead_letters_open_item_step" not in indexes
    assert indexes["uq_dead_letters_open_pipeline_item_step"]["column_names"] == ["pipeline", "document_id", "step"]
    assert "ix_dead_letters_pipeline" in indexes

    again = _document_letter(letters, "run-1")
    assert (again.id, again.attempts) == (old_open.id, 3), "the old open letter counts the attempt"
    ticket = _ticket_letter(letters, "run-1")
    assert ticket.id not in (old_open.id, old_replayed.id), "another pipeline's letter for the same item and step"
    assert [r.id for r in letters.list(pipeline="document-pipeline")] == [old_open.id, old_replayed.id]

    store_module._create_tables(engine)  # opened again (another process): nothing left to change
    assert {index["name"] for index in inspect(engine).get_indexes("dead_letters")} == set(indexes)


def test_a_new_store_has_no_old_index(letters: DeadLetters) -> None:
    indexes = {index["name"] for index in inspect(letters.store.engine()).get_indexes("dead_letters")}
    assert "uq_dead_letters_open_pipeline_item_step" in indexes and "uq_dead_letters_open_item_step" not in indexes
