"""An agent's guards, against the real model server scripted to call tools: a model that repeats one call, or never
stops calling, ends as a dead letter of its pipeline naming the guard, with the run's transcript kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel
from sqlmodel import Session, select

from agentic_kit import Agent, AgentLimits, PipelineBlocks, PipelineStore, pipeline
from agentic_kit.store import AgentRunRow, DeadLetterRow
from agentic_kit.testing import ModelServer
from agentic_kit.testing.model_server import RawAnswer, tool_calls
from tests.conftest import served_model

looked_up: list[str] = []


async def lookup_order(order_id: str) -> dict[str, Any]:
    """The order with this id."""
    looked_up.append(order_id)
    return {"order_id": order_id, "status": "shipped"}


def repeating(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> RawAnswer:
    """A model that asks for the same order again and again."""
    turn = sum(message["role"] == "assistant" for message in messages)
    return tool_calls((f"call-{turn}", "lookup_order", {"order_id": "O-5001"}))


def wandering(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> RawAnswer:
    """A model that asks for a new order every turn and never answers."""
    turn = sum(message["role"] == "assistant" for message in messages)
    return tool_calls((f"call-{turn}", "lookup_order", {"order_id": f"O-{5001 + turn}"}))


class Question(BaseModel):
    text: str


class Answer(BaseModel):
    text: str


ORDERS = Agent("orders", instructions="Answer questions about orders.", tools=[lookup_order],
               limits=AgentLimits(max_turns=4, repeated_calls=2))


@pipeline("order-questions", item=Question, noun="questions", done="answered")
async def order_questions(question: Question, blocks: PipelineBlocks) -> Answer:
    run = await ORDERS.run(question.text)
    return Answer(text=str(run.output))


@pytest.fixture
def scripted_server(request: pytest.FixtureRequest) -> Iterator[ModelServer]:
    with ModelServer(responder=request.param) as server:
        yield server


def _stopped(server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> tuple[DeadLetterRow, AgentRunRow]:
    """Run one question; its one dead letter and the agent's kept run."""
    model = served_model(server)
    monkeypatch.setenv("OPENAI_BASE_URL", model.base_url or "")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AGENTIC_MODEL", model.model)
    monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
    return _run_one()


def _run_one() -> tuple[DeadLetterRow, AgentRunRow]:
    import asyncio

    report = asyncio.run(order_questions.run([Question(text="Where is order O-5001?")]))
    assert report.headline().startswith("1 questions: 0 answered, 1 failed"), report.headline()
    with Session(PipelineStore.from_environment().engine()) as session:
        letters = session.exec(select(DeadLetterRow)).all()
        runs = session.exec(select(AgentRunRow)).all()
    assert len(letters) == 1 and len(runs) == 1
    return letters[0], runs[0]


@pytest.mark.parametrize("scripted_server", [repeating], indirect=True)
def test_a_model_repeating_one_call_is_stopped_by_the_repeated_call_guard(
        scripted_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """repeated_calls=2: the third identical call is not made; 2 lookups ran, 3 turns were asked."""
    looked_up.clear()
    letter, run = _stopped(scripted_server, monkeypatch)
    assert (letter.pipeline, letter.step, letter.error_type) == ("order-questions", "orders", "AgentStopped")
    assert "repeated_call guard" in letter.error_message
    assert looked_up == ["O-5001", "O-5001"]
    assert (run.status, run.guard, run.model_turns, run.tool_calls) == ("stopped", "repeated_call", 3, 2)
    transcript = json.loads(letter.raw_output or "[]")
    assert [part["part_kind"] for message in transcript for part in message["parts"]].count("tool-return") == 2


@pytest.mark.parametrize("scripted_server", [wandering], indirect=True)
def test_a_model_that_never_answers_is_stopped_by_max_turns(
        scripted_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """max_turns=4: four turns asked, each lookup made, the fifth turn never asked."""
    looked_up.clear()
    letter, run = _stopped(scripted_server, monkeypatch)
    assert "max_turns guard" in letter.error_message
    assert len(scripted_server.token_log) == 4
    assert looked_up == ["O-5001", "O-5002", "O-5003", "O-5004"]
    assert (run.guard, run.model_turns, run.tool_calls) == ("max_turns", 4, 4)
