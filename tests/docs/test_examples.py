"""The documentation's examples run as shown: docs/examples/word_count.py offline (and again, from cache), and
against the fault-injecting model server (the page "Tests with the fault-injecting servers" includes this file)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from agentic_kit.testing import Fault, ModelServer
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "docs" / "examples"


@pytest.fixture
def word_count() -> Iterator[ModuleType]:
    """docs/examples/word_count.py, imported as the page says: with docs/examples on the import path."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield importlib.import_module("word_count")
    finally:
        sys.path.remove(str(EXAMPLES))


# --8<-- [start:offline]
async def test_word_count_counts_two_passages_offline_and_the_second_run_makes_no_model_call(
        word_count: ModuleType) -> None:
    """2 passages: both counted with one model call each; the same passages again come from cache."""
    passages = [word_count.Passage(text="The quick brown fox"), word_count.Passage(text="jumps over the lazy dog")]
    first = await word_count.word_count.run(passages)
    second = await word_count.word_count.run(passages)
    assert (first.count("processed"), first.count("failed"), first.model_calls) == (2, 0, 2), first.headline()
    assert first.headline() == "2 passages: 2 counted, 0 failed; 2 model calls made"
    assert sorted((o.result or {})["words"] for o in first.outcomes) == [4, 5]
    assert (second.count("processed"), second.model_calls) == (2, 0), second.headline()
# --8<-- [end:offline]


# --8<-- [start:served]
@pytest.fixture
def served_model(model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> ModelServer:
    """The pipeline's model is the fault-injecting server, named by the environment as a user would."""
    monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AGENTIC_MODEL", "test-model")
    return model_server


async def test_a_rate_limit_and_a_server_error_are_retried(word_count: ModuleType, served_model: ModelServer) -> None:
    """A 429 then a 500: the step tries again after each (the policy's backoff) and the passage is counted."""
    served_model.faults.push(Fault.RATE_LIMIT, times=1)
    served_model.faults.push(Fault.SERVER_ERROR, times=1)
    report = await word_count.word_count.run([word_count.Passage(text="One two three")])
    assert report.headline() == "1 passages: 1 counted, 0 failed; 1 model calls made"
    outcomes = [record.outcome for record in served_model.log.records]
    assert outcomes == ["rate_limit", "server_error", "ok"], outcomes


async def test_a_bad_request_is_never_retried_and_the_passage_is_a_dead_letter(
        word_count: ModuleType, served_model: ModelServer) -> None:
    """A 400 is permanent: one request, and the passage failed at count_words (a dead letter, to replay)."""
    served_model.faults.push(Fault.BAD_REQUEST, times=1)
    report = await word_count.word_count.run([word_count.Passage(text="One two three")])
    assert [(o.status, o.step) for o in report.outcomes] == [("failed", "count_words")]
    assert served_model.log.count() == 1, served_model.log.records
# --8<-- [end:served]
