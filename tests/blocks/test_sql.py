"""SQL helpers on a real SQLite store: the upsert keeps what it is told to keep; chunks bound every IN query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlmodel import Session

from agentic_kit._blocks.sql import as_utc, chunks, upsert
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow


def test_an_upsert_updates_in_place_and_keeps_first_seen(tmp_path: Path) -> None:
    store = PipelineStore(database_url=SecretStr(f"sqlite:///{tmp_path / 'sql.db'}"))
    first = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(store.engine()) as session:
        upsert(session, DocumentRow(id="a" * 64, source="one.txt", status="failed", first_seen=first))
        upsert(session, DocumentRow(id="a" * 64, source="one.txt", status="processed",
                                    first_seen=first + timedelta(days=1)))
        session.commit()
        row = session.get(DocumentRow, "a" * 64)
    assert row is not None and row.status == "processed"
    assert as_utc(row.first_seen) == first


def test_chunks_split_values_into_bounded_lists() -> None:
    assert [len(chunk) for chunk in chunks(list(range(1_201)), 500)] == [500, 500, 201]
    assert list(chunks([])) == []
