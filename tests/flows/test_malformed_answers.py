"""Malformed model answers never reach the store: each is repaired in its one repair round or dead-lettered
with the raw answer kept.

Each document asks for one kind of malformed answer (code fences, cut off at max tokens, wrong types,
extra keys, a refusal), either once (the repair round gets a valid answer) or always.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlmodel import Session, select

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, EntityRow, ReviewRow, SummaryRow
from agentic_kit._domain.models.common import Review, content_id
from agentic_kit._domain.models.documents import EntityType
from agentic_kit.testing import ModelServer, RawAnswer, sample_instance
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport
from tests.conftest import served_model

REFUSAL = "I can't help with that request."
MALFORM: dict[str, Callable[[dict[str, Any]], RawAnswer]] = {
    "fenced": lambda valid: RawAnswer(f"```json\n{json.dumps(valid)}\n```"),
    "cut-off": lambda valid: RawAnswer(json.dumps(valid)[: len(json.dumps(valid)) // 2], finish_reason="length"),
    "wrong-types": lambda valid: RawAnswer(json.dumps({k: 12345 if isinstance(v, str) else "n/a"
                                                       for k, v in valid.items()})),
    "extra-keys": lambda valid: RawAnswer(json.dumps({**valid, "confidence": "high", "notes": ["x"]})),
    "refusal": lambda valid: RawAnswer(None, refusal=REFUSAL),
}
EXTRA_KEYS_ARE_VALID = "extra-keys"  # the step models ignore unknown keys: such an answer is simply used


def _text(kind: str, fate: str) -> str:
    return f"Case {kind} {fate}: Ada Lovelace met Charles Babbage of Analytical Engines Ltd in London."


def _malforming_model(schema_key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> Any:
    """Answer each document's kind of malformed answer; in the repair round, a valid one unless it is `always`."""
    material = messages[1]["content"]
    valid = sample_instance(schema or {"type": "object"}, material)
    kind, fate = next((k, f) for k in MALFORM for f in ("once", "always") if _text(k, f)[:30] in material)
    in_repair_round = len(messages) > 2
    return MALFORM[kind](valid) if fate == "always" or not in_repair_round else valid


@pytest.fixture
def malforming_server() -> Any:
    with ModelServer(responder=_malforming_model) as server:
        yield server


def _invalid_rows(session: Session, processed: set[str]) -> list[str]:
    """Rows that do not validate against the step models, or that belong to a document not processed."""
    problems = []
    for review in session.exec(select(ReviewRow)):
        try:
            Review(score=review.score, critique=review.critique)
        except ValueError as error:
            problems.append(f"review {review.document_id}: {error}")
    entity_type = TypeAdapter(EntityType)
    for entity in session.exec(select(EntityRow)):
        if not entity.name or entity_type.validate_python(entity.type) is None:
            problems.append(f"entity {entity.document_id}/{entity.position}")
    for table in (SummaryRow, ReviewRow, EntityRow):
        problems += [f"{table.__tablename__} row of unprocessed {row.document_id}"
                     for row in session.exec(select(table)) if row.document_id not in processed]
    problems += [f"empty summary {row.document_id}" for row in session.exec(select(SummaryRow)) if not row.summary]
    return problems


async def test_malformed_answers_are_repaired_or_dead_lettered_with_their_raw_text(malforming_server: ModelServer) -> None:
    model = served_model(malforming_server)
    model.breaker = BreakerSettings(failure_threshold=1000, failure_rate=1.0)  # every answer here is malformed on purpose
    await model.asave("malforming", overwrite=True)
    texts = [_text(kind, fate) for kind in MALFORM for fate in ("once", "always")]

    state = await document_pipeline(texts=texts, language_model="malforming", review_threshold=0.0, return_state=True)
    report = await state.aresult(raise_on_failure=False)

    assert isinstance(report, PipelineReport)
    by_text = {o.document_id: o for o in report.outcomes}
    outcome = {text: by_text[content_id(text)] for text in texts}
    repaired = [t for t in texts if " once:" in t]
    unrepairable = [t for t in texts if " always:" in t and EXTRA_KEYS_ARE_VALID not in t]
    assert all(outcome[t].status == "processed" for t in repaired + [_text(EXTRA_KEYS_ARE_VALID, "always")])
    assert all(outcome[t].status == "failed" and outcome[t].failed_step == "extract_entities"
               and "UnrepairableOutput" in (outcome[t].error or "") for t in unrepairable)
    letters = {letter.document_id: letter for letter in DeadLetters(PipelineStore.from_environment()).list()}
    for text in unrepairable:
        letter = letters[content_id(text)]
        assert letter.raw_output is not None and letter.raw_output.strip(), f"no raw answer kept for {text}"
    assert REFUSAL in letters[content_id(_text("refusal", "always"))].raw_output
    assert "```json" in letters[content_id(_text("fenced", "always"))].raw_output
    with Session(PipelineStore.from_environment().engine()) as session:
        processed = set(session.exec(select(DocumentRow.id).where(DocumentRow.status == "processed")))
        invalid = _invalid_rows(session, processed)
    malformed = len(malforming_server.log.ok()) - report.usage.calls
    print(f"documents={len(texts)} repaired={len(repaired)} dead-lettered={len(unrepairable)} "
          f"invalid rows={len(invalid)} model requests={len(malforming_server.log.ok())} (malformed answers={malformed})")
    assert invalid == []
    assert len(processed) == len(texts) - len(unrepairable)
