"""The pipeline store on SQLite always and on PostgreSQL when one answers on 127.0.0.1:5432."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore, normalized_url
from agentic_kit._blocks.tables import DocumentRow, EntityRow, ModelUsageRow, ReviewRow, SummaryRow
from agentic_kit._domain.models.common import Review
from agentic_kit._domain.models.documents import DocumentOutcome, Enrichment, Entity, EntityType
from tests.support.postgres import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PipelineStore]:
    """A store on each database this machine has."""
    if request.param == "sqlite":
        yield PipelineStore(database_url=SecretStr(f"sqlite:///{tmp_path / 'nested' / 'store.db'}"))
    else:
        yield from (PipelineStore(database_url=SecretStr(url)) for url in postgres_database())


def _outcome(summary: str = "Amara met Lukas.") -> DocumentOutcome:
    return DocumentOutcome(
        source="a.txt", document_id="d" * 64, status="processed", model="offline", summary=summary,
        entities=[Entity(name="Amara Okafor", type=EntityType.PERSON), Entity(name="Hamburg", type=EntityType.LOCATION)],
        enrichments=[Enrichment(name="Amara Okafor", type=EntityType.PERSON, found=True, canonical_name="Amara Okafor")],
        review=Review(score=0.75, critique="Keeps the names."),
    )


def test_saving_the_same_document_twice_stores_it_once(store: PipelineStore) -> None:
    store.save_outcome(_outcome(), "Amara Okafor met Lukas in Hamburg.", "run-1")
    with Session(store.engine()) as session:
        first_seen = session.exec(select(DocumentRow)).one().first_seen
    store.save_outcome(_outcome("Amara met Lukas in Hamburg."), "Amara Okafor met Lukas in Hamburg.", "run-2")

    with Session(store.engine()) as session:
        document = session.exec(select(DocumentRow)).one()
        entities = session.exec(select(EntityRow).order_by(EntityRow.position)).all()
        summaries = session.exec(select(SummaryRow)).all()
        reviews = session.exec(select(ReviewRow)).all()
    assert (document.status, document.flow_run_id, document.entity_count) == ("processed", "run-2", 2)
    assert document.first_seen == first_seen, "first_seen survives an upsert"
    assert [(e.name, e.found) for e in entities] == [("Amara Okafor", True), ("Hamburg", None)]
    assert [s.summary for s in summaries] == ["Amara met Lukas in Hamburg."]
    assert [r.score for r in reviews] == [0.75]


def test_a_failed_document_keeps_its_step_and_error(store: PipelineStore) -> None:
    failed = DocumentOutcome(source="b.txt", document_id="e" * 64, status="failed",
                             failed_step="enrich", error="ConnectionFailed: refused")
    store.save_outcome(failed, "text", "run-1")
    with Session(store.engine()) as session:
        row = session.get(DocumentRow, "e" * 64)
    assert row is not None and (row.status, row.failed_step, row.error) == ("failed", "enrich", "ConnectionFailed: refused")


def test_usage_totals_count_only_the_runs_own_calls(store: PipelineStore) -> None:
    for run, tokens in [("run-1", 100), ("run-1", 50), ("run-2", 7)]:
        store.record_usage(ModelUsageRow(flow_run_id=run, step="summarize", model="m",
                                         input_tokens=tokens, output_tokens=10, cost_usd=0.5))
    totals = store.usage_totals("run-1")
    assert (totals.calls, totals.input_tokens, totals.output_tokens, totals.cost_usd) == (2, 150, 20, 1.0)
    assert store.usage_totals("run-3").calls == 0


def test_plain_postgresql_urls_use_the_installed_driver() -> None:
    assert normalized_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalized_url("sqlite:///x.db") == "sqlite:///x.db"
