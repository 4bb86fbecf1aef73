"""The cassette provider: answers matched by content in any order, a request not recorded named with its nearest,
an invalid recorded answer invalid again, and files it cannot read refused in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from agentic_kit._blocks.language_model import CASSETTE, LanguageModel
from agentic_kit._blocks.model_clients import model_client
from agentic_kit._blocks.prompt_layout import render_messages
from agentic_kit._domain.errors import InvalidModelOutput, NotInCassette, UnreadableCassette
from agentic_kit._domain.models.cassette import Cassette, RecordedExchange, response_format
from agentic_kit._domain.models.common import ModelRequest, Review
from agentic_kit._domain.models.documents import Summary

MODEL = "recorded-model"


def _request(step: str, text: str) -> ModelRequest:
    return ModelRequest(step=step, instructions=f"Do {step}.", material={"document": text})


def _exchange(request: ModelRequest, answer: str, valid: bool = True, output_type: type = Summary) -> RecordedExchange:
    return RecordedExchange(step=request.step, document_id=f"doc-{request.material['document'][:3]}", model=MODEL,
                            response_format=response_format(output_type), messages=render_messages(request),
                            answer=answer, valid=valid, response_model=MODEL)


def _model(tmp_path: Path, *exchanges: RecordedExchange) -> LanguageModel:
    path = tmp_path / "calls.cassette.json"
    Cassette(recorded_at="2026-01-01T00:00:00Z", flow_run_id="run", flow_name="document-pipeline", model=None,
             exchanges=list(exchanges)).write(path)
    return LanguageModel(provider=CASSETTE, model=MODEL, cassette_path=str(path))


async def test_answers_are_matched_by_content_in_any_order(tmp_path: Path) -> None:
    first, second = _request("summarize", "one text"), _request("summarize", "another text")
    model = _model(tmp_path, _exchange(first, '{"summary": "first"}'), _exchange(second, '{"summary": "second"}'))
    client = model_client(model)
    assert (await client.generate(second, Summary)).output.summary == "second"
    assert (await client.generate(first, Summary)).output.summary == "first"
    assert (await client.generate(second, Summary)).output.summary == "second"


async def test_a_request_not_recorded_fails_naming_the_step_and_the_nearest_recorded_request(tmp_path: Path) -> None:
    model = _model(tmp_path, _exchange(_request("summarize", "abc one"), '{"summary": "s"}'),
                   _exchange(_request("summarize", "xyz two"), '{"summary": "t"}'),
                   _exchange(_request("review", "abc one"), '{"score": 1, "critique": "c"}', output_type=Review))
    with pytest.raises(NotInCassette) as caught:
        await model_client(model).generate(_request("summarize", "xyz twice"), Summary)
    message = str(caught.value)
    assert message.startswith("summarize: no recorded answer"), message
    assert "(summarize of document doc-xyz)" in message
    assert "user message 2 from character 34: recorded 'o\\n</material>', asked 'ice\\n</material>'" in message
    with pytest.raises(NotInCassette, match="response format: recorded Summary, asked Review"):
        await model_client(model.model_copy(update={"model": MODEL})).generate(_request("summarize", "abc one"), Review)


async def test_an_invalid_recorded_answer_is_invalid_again_so_the_same_repair_follows(tmp_path: Path) -> None:
    request = _request("summarize", "one text")
    model = _model(tmp_path, _exchange(request, "not json at all", valid=False))
    with pytest.raises(InvalidModelOutput) as caught:
        await model_client(model).generate(request, Summary)
    assert caught.value.raw == "not json at all"


@pytest.mark.parametrize(("content", "reason"), [
    (None, "cannot be read"),
    ("{not json", "not JSON"),
    (json.dumps({"format": "something-else"}), "not a cassette"),
    (json.dumps({"format": "agentic-cassette", "version": 99}), "cassette version 99; this code reads version 1"),
    (json.dumps({"format": "agentic-cassette", "version": 1, "flow_run_id": "r"}), "recorded_at: Field required"),
])
async def test_a_file_that_is_not_a_cassette_is_refused_in_plain_words(tmp_path: Path, content: str | None,
                                                                       reason: str) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UnreadableCassette, match=reason):
        await model_client(LanguageModel(provider=CASSETTE, model=MODEL, cassette_path=str(path))).generate(
            _request("summarize", "x"), Summary)


def test_the_cassette_provider_needs_its_file() -> None:
    with pytest.raises(ValidationError, match="the 'cassette' provider needs a cassette file"):
        LanguageModel(provider=CASSETTE, model=MODEL)
