"""Dead-letter replay against real local servers: an enrichment outage, replayed once down and once back up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agentic_kit import EnrichmentApi
from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from agentic_kit._domain.models.documents import ReplayReport
from agentic_kit.testing import EnrichmentServer, ModelServer
from flows.dead_letter_replay import dead_letter_replay
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport
from tests.conftest import free_port

BATCH = ("01-news-merger.txt", "02-contract-services.txt", "05-press-release.md", "18-scanned-receipt.pdf")


async def _replay(**filters: object) -> tuple[str, ReplayReport]:
    state = await dead_letter_replay(**filters, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, ReplayReport), state.message
    return state.name, report


async def test_documents_failed_at_enrichment_are_replayed_once_the_api_is_back_without_repeating_a_model_call(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_server, _ = served_environment
    port = free_port()
    await EnrichmentApi(base_url=f"http://127.0.0.1:{port}",  # nothing listens there yet
                        breaker=BreakerSettings(reset_seconds=1)).asave("replay-test", overwrite=True)
    store = PipelineStore.from_environment()
    letters = DeadLetters(store)

    state = await document_pipeline(paths=[str(samples / name) for name in BATCH], enrichment_api="replay-test",
                                    return_state=True)
    run = await state.aresult(raise_on_failure=False)
    assert isinstance(run, PipelineReport) and state.is_failed()
    failed = [o for o in run.outcomes if o.status == "failed"]
    assert len(failed) == 3 and {o.failed_step for o in failed} == {"enrich"}
    recorded = letters.list()
    assert sorted((Path(r.source).name, r.step, r.attempts) for r in recorded) == [
        ("01-news-merger.txt", "enrich", 1), ("02-contract-services.txt", "enrich", 1),
        ("05-press-release.md", "enrich", 1), ("18-scanned-receipt.pdf", "validate", 1)], "the pipeline recorded them"
    extractions = model_server.log.count(key="EntityList")
    assert extractions == 3

    await asyncio.sleep(1.5)  # past the breaker's reset, so the replay reaches the API (still down)
    state_name, still_down = await _replay(enrichment_api="replay-test")
    assert state_name == "Failed", "the API is still down: the replayed documents fail again"
    assert (still_down.count("still_failing"), still_down.count("not_replayable")) == (3, 1)
    assert {i.attempts for i in still_down.items if i.result == "still_failing"} == {2}
    [rejected] = [i for i in still_down.items if i.result == "not_replayable"]
    assert Path(rejected.source).name == "18-scanned-receipt.pdf" and "rejected input" in rejected.detail

    with EnrichmentServer().start(port=port):
        await asyncio.sleep(1.5)
        state_name, back_up = await _replay(enrichment_api="replay-test")

    assert state_name == "Completed", back_up.headline()
    assert back_up.headline() == "4 dead letters: 3 replayed, 0 still failing, 1 not replayable"
    assert [(r.status, r.attempts) for r in letters.list(step="enrich")] == [("replayed", 2)] * 3
    assert [r.status for r in letters.list(step="validate")] == ["open"], "rejected input waits to be discarded"
    with Session(store.engine()) as session:
        documents = {Path(d.source).name: d.status for d in session.exec(select(DocumentRow))}
        usage = session.exec(select(ModelUsageRow.document_id, ModelUsageRow.step)).all()
    assert documents == {"01-news-merger.txt": "processed", "02-contract-services.txt": "processed",
                         "05-press-release.md": "processed", "18-scanned-receipt.pdf": "rejected"}
    assert model_server.log.count(key="EntityList") == extractions, "no extraction was paid for twice"
    assert model_server.log.repeated_ok() == {}, "no finished model call was repeated"
    assert len(usage) == len(set(usage)) == 3 * 3, "one paid call per document and step"

    state_name, nothing_left = await _replay(step="enrich", enrichment_api="replay-test")
    assert state_name == "Completed" and nothing_left.items == [], "replayed dead letters are not replayed again"
