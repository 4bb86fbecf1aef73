"""`agentic eval` on the shipped golden set, against a model server whose answers follow the instructions it gets:
live against itself passes; a deliberately worse instructions version of extract_entities fails, naming recall."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from agentic_kit._operate.cli.app import app
from agentic_kit.offline import extract_entities, summarize
from agentic_kit.testing import ModelServer
from agentic_kit.testing.model_server import message_text

WORSE_INSTRUCTIONS = "Extract the named entities of the document, but name only the first one you find."


def _answer(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Extraction and summary by the offline heuristics over the request's material; a worse extraction when the
    instructions ask for only one entity; a fixed judge."""
    instructions, material = message_text(messages[0]), message_text(messages[-1])
    if key == "EntityList":
        entities = extract_entities(material).entities
        return {"entities": [e.model_dump() for e in entities[:1] if "only the first" in instructions] or
                [e.model_dump() for e in entities]}
    if key == "Summary":
        return summarize(material).model_dump()
    return {"score": 0.9, "critique": "faithful"}


@pytest.fixture
def instructed_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelServer]:
    with ModelServer(responder=_answer) as server:
        monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("AGENTIC_MODEL", "test-model")
        monkeypatch.setenv("PREFECT_TASKS_REFRESH_CACHE", "true")  # what `agentic eval` sets, restored after
        monkeypatch.setenv("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")  # likewise
        yield server


def _eval(candidate: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["eval", "--step", "extract_entities", "--candidate", candidate, "--json"])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_the_gate_passes_live_and_fails_a_worse_instructions_version(instructed_model: ModelServer) -> None:
    same_code, same = _eval("declared")
    added = CliRunner().invoke(app, ["variants", "add", "--step", "extract_entities", "--name", "first-only",
                                     "--instructions", WORSE_INSTRUCTIONS])
    assert added.exit_code == 0, added.output
    worse_code, worse = _eval("first-only")

    metrics = {m["metric"]: m for m in worse["metrics"]}
    print(f"live against itself: {'passed' if same['passed'] else same['worse']}; first-only: worse on "
          f"{worse['worse']}, recall {metrics['recall']['live']:.2f} -> {metrics['recall']['candidate']:.2f}")
    assert (same_code, same["passed"], same["worse"]) == (0, True, [])
    assert worse_code == 1 and not worse["passed"]
    assert "recall" in worse["worse"] and metrics["recall"]["candidate"] < metrics["recall"]["live"] - 0.05
