"""The document pipeline end to end against real local servers: results, isolation, caching, retry."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import Session, select

from agentic_kit import EnrichmentApi
from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelUsageRow
from agentic_kit._operate.local_server import running_server
from agentic_kit.testing import EnrichmentServer, Fault, ModelServer
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport
from tests.conftest import free_port, served_model
from tests.support.postgres import postgres_answers

MODEL_STEPS_PER_DOCUMENT = 3


async def _run(**parameters: object) -> tuple[str, PipelineReport]:
    state = await document_pipeline(**parameters, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport), state.message
    return state.name, report


def _stored_documents() -> list[DocumentRow]:
    with Session(PipelineStore.from_environment().engine()) as session:
        return list(session.exec(select(DocumentRow)).all())


async def test_samples_are_processed_stored_once_and_cached_on_the_second_run(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path
) -> None:
    model_server, enrichment_server = served_environment
    state, report = await _run(folder=str(samples))

    assert state == "Completed"
    processed = report.count("processed")
    assert processed == 16 and report.count("rejected") == 1 and report.count("failed") == 0
    done = [o for o in report.outcomes if o.status == "processed"]
    calls = sum(o.model_calls for o in done)
    assert model_server.log.count(outcome="ok") == report.usage.calls == calls
    assert all(o.model_calls == (MODEL_STEPS_PER_DOCUMENT if o.chunks == 1 else 2 * o.chunks + 2) for o in done)
    formats = {Path(o.source).suffix: o.format for o in done}
    assert formats == {".txt": "text", ".md": "markdown", ".pdf": "pdf", ".docx": "docx", ".html": "html"}
    assert report.usage.cost_usd == 0 or report.usage.input_tokens > 0
    assert enrichment_server.log.count(outcome="ok") > 0
    assert all(o.summary and o.review for o in report.outcomes if o.status == "processed")
    rows = _stored_documents()
    assert len(rows) == 17 and len({r.id for r in rows}) == 17

    state, again = await _run(folder=str(samples))
    assert state == "Completed"
    assert again.usage.calls == 0 and again.cached_model_steps == calls
    assert model_server.log.count() == calls, "no new request reached the model"
    assert len(_stored_documents()) == 17, "storing again is an upsert"


async def test_bad_input_gets_a_clear_error_and_the_rest_of_the_batch_completes(
    served_environment: tuple[ModelServer, EnrichmentServer], tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good-1.txt").write_text("Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024.")
    (folder / "good-2.txt").write_text("Lukas Brandt signed the contract with Halvorsen Analytics GmbH.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (folder / "huge.txt").write_text("word " * 1000)
    (folder / "latin1.txt").write_bytes("Grüße aus Köln von Jürgen Weiß, der die Straße kennt.".encode("latin-1"))
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")

    state, report = await _run(folder=str(folder), max_document_bytes=2000)

    assert state == "Completed", "rejected input is reported, not a failed run"
    errors = {Path(o.source).name: o.error for o in report.outcomes if o.status == "rejected"}
    assert set(errors) == {"empty.txt", "image.png", "huge.txt", "scan.pdf"}
    assert "empty document" in errors["empty.txt"]
    assert "an image (PNG)" in errors["image.png"] and "no OCR" in errors["image.png"]
    assert "over the limit of 2,000 bytes" in errors["huge.txt"]
    assert "not a readable PDF" in errors["scan.pdf"]
    assert report.count("processed") == 3
    latin1 = next(o for o in report.outcomes if Path(o.source).name == "latin1.txt")
    assert (latin1.format, latin1.encoding) == ("text", "cp1252"), "a Latin-1 text is read, its encoding detected"
    assert {r.status for r in _stored_documents()} == {"processed", "rejected"}
    letters = {Path(letter.source).name: letter for letter in DeadLetters(PipelineStore.from_environment()).list()}
    assert {name: letters[name].error_message for name in errors} == errors, "each rejection is a readable dead letter"
    assert all(letter.step == "validate" and letter.status == "open" for letter in letters.values())


@pytest.fixture
def api_storing_any_parameter(tmp_path: Path) -> Iterator[str]:
    """A Prefect API on SQLite: one on PostgreSQL refuses to create a flow run whose parameters hold a NUL byte
    (503: JSONB has no \\u0000), so such a run exists on SQLite only, as in the attacker's finding."""
    if not postgres_answers():
        yield os.environ["PREFECT_API_URL"]
        return
    api_url = f"http://127.0.0.1:{free_port()}/api"
    with running_server(api_url, tmp_path / "prefect-sqlite"), temporary_settings({PREFECT_API_URL: api_url}):
        yield api_url


async def test_a_path_with_a_nul_byte_is_rejected_and_the_run_completes_with_the_others(
    served_environment: tuple[ModelServer, EnrichmentServer], api_storing_any_parameter: str, tmp_path: Path
) -> None:
    good = [tmp_path / "good-1.txt", tmp_path / "good-2.txt"]
    good[0].write_text("Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024.")
    good[1].write_text("Lukas Brandt signed the contract with Halvorsen Analytics GmbH.")

    state, report = await _run(paths=[str(good[0]), "bad\x00path", str(good[1])])

    assert state == "Completed", "a bad path is a rejection of that path, never a failed run"
    assert report.count("processed") == 2 and report.count("rejected") == 1 and report.count("failed") == 0
    [rejected] = [o for o in report.outcomes if o.status == "rejected"]
    assert (rejected.source, rejected.error) == ("bad\\x00path", "bad\\x00path: not a valid path (embedded NUL byte)")


async def test_a_run_failed_at_enrichment_reruns_only_enrichment_and_later_steps(
    served_environment: tuple[ModelServer, EnrichmentServer], samples: Path
) -> None:
    model_server, _ = served_environment
    port = free_port()
    await EnrichmentApi(base_url=f"http://127.0.0.1:{port}", breaker=BreakerSettings(reset_seconds=1)).asave(
        "down-then-up", overwrite=True)

    state, report = await _run(folder=str(samples), enrichment_api="down-then-up")
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert state == "Failed" and failed, report.headline()
    assert {o.failed_step for o in failed} == {"enrich"}
    errors = {(o.error or "").split(":")[0] for o in failed}
    assert errors <= {"ConnectionFailed", "CircuitOpen"} and "CircuitOpen" in errors, "the breaker opened"
    assert f"{len(failed)} failed" in report.headline()
    extractions_before = model_server.log.count(key="EntityList")
    letters = DeadLetters(PipelineStore.from_environment())
    rejected = {o.document_id for o in report.outcomes if o.status == "rejected"}
    assert {letter.document_id for letter in letters.list(status="open")} == {o.document_id for o in failed} | rejected

    with EnrichmentServer().start(port=port):
        await asyncio.sleep(1.5)  # past the breaker's reset: the next call is its probe
        state, report = await _run(folder=str(samples), enrichment_api="down-then-up")

    assert state == "Completed" and report.count("failed") == 0
    assert model_server.log.count(key="EntityList") == extractions_before, "no extraction was paid for twice"
    assert model_server.log.repeated_ok() == {}, "no finished model call was repeated"
    summaries_and_reviews = sum(2 if o.chunks == 1 else o.chunks + 2 for o in failed)
    assert report.usage.calls == summaries_and_reviews, "only summary and review ran for the failed documents"
    assert {letter.document_id for letter in letters.list(status="open")} == rejected, \
        "the documents processed since closed their dead letters"
    assert len(letters.list(status="replayed")) == len(failed)
    with Session(PipelineStore.from_environment().engine()) as session:
        usage = session.exec(select(ModelUsageRow.document_id, ModelUsageRow.step)).all()
    assert len(usage) == model_server.log.count(outcome="ok"), "each model call made is paid for once"


async def test_without_an_enrichment_api_enrichment_is_skipped_and_the_output_says_so() -> None:
    state, report = await _run(texts=["Amara Okafor of Northwind Traders Ltd visited Bristol."])
    [outcome] = report.outcomes
    assert state == "Completed" and outcome.status == "processed"
    assert outcome.enrichments == [] and outcome.enrichment_note == "enrichment skipped: no enrichment API configured"
    assert report.enrichment == outcome.enrichment_note
    assert outcome.models == {"extract_entities": "offline", "summarize": "offline", "review": "offline"}


async def test_when_the_primary_model_keeps_failing_its_fallback_answers_and_the_output_says_which(
    model_server: ModelServer,
) -> None:
    with ModelServer() as fallback_server:
        await served_model(fallback_server).model_copy(update={"model": "fallback-model"}).asave(
            "fallback-test", overwrite=True)
        primary = served_model(model_server).model_copy(update={"fallback_block": "fallback-test"})
        await primary.asave("primary-test", overwrite=True)
        model_server.faults.push(Fault.SERVER_ERROR, times=1000)

        state, report = await _run(texts=["Amara Okafor of Northwind Traders Ltd visited Bristol."],
                                   language_model="primary-test")

        assert state == "Completed", report.headline()
        [outcome] = report.outcomes
        assert outcome.models == {"extract_entities": "fallback-model", "summarize": "fallback-model",
                                  "review": "fallback-model"}
        assert fallback_server.log.count(outcome="ok") == MODEL_STEPS_PER_DOCUMENT
        threshold = primary.breaker.failure_threshold
        assert model_server.log.count(outcome="server_error") == threshold, "then its circuit opened: no more calls"
