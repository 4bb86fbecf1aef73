"""An agent run on cassette: a run against a model server is recorded (`record`, as `agentic cassette record` does)
and replayed with the `cassette` provider: the same turns, the same answer, no request to the server; a question
the cassette does not hold fails with NotInCassette naming the nearest recorded turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect import flow
from prefect.runtime import flow_run

from agentic_kit import Agent, AgentRun, LanguageModel, PipelineStore, item_scope
from agentic_kit.testing import ModelServer, RawAnswer
from agentic_kit.testing.model_server import tool_calls
from deployments.cassettes import record

QUESTION = "Where is my order? I am ada@example.com"


async def lookup_customer(email: str) -> dict[str, Any]:
    """The customer with this email."""
    return {"customer_id": "C-1001", "name": "Ada", "email": email}


async def order_history(customer_id: str) -> list[dict[str, Any]]:
    """The customer's orders."""
    return [{"order_id": "O-5001", "item": "kettle", "amount_usd": 40.0}]


HELPER = Agent("cassette-helper", instructions="Answer questions about a customer's orders.",
               tools=[lookup_customer, order_history])


def order_desk(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> RawAnswer:
    """Look the customer up, then the orders, then answer."""
    answered = sum(message.get("role") == "tool" for message in messages)
    if answered == 0:
        return tool_calls(("call-1", "lookup_customer", {"email": "ada@example.com"}))
    if answered == 1:
        return tool_calls(("call-2", "order_history", {"customer_id": "C-1001"}))
    return RawAnswer(content="Your kettle, order O-5001, is on its way.")


@flow(persist_result=True)
async def ask(question: str, job: str) -> tuple[str, AgentRun[str]]:
    with item_scope(job, LanguageModel.from_environment(), PipelineStore.from_environment()):
        return str(flow_run.get_id()), await HELPER.run(question)


async def test_an_agent_run_is_recorded_and_replayed_with_no_network(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with ModelServer(responder=order_desk) as server:
        monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("AGENTIC_MODEL", "test-model")
        run_id, recorded = await ask(QUESTION, "job-1")
        cassette = await record(run_id, PipelineStore.from_environment())
        path = tmp_path / "agent.cassette.json"
        cassette.write(path)
        asked = server.log.count()

        monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "cassette")
        monkeypatch.setenv("AGENTIC_MODEL_CASSETTE", str(path))
        _, replayed = await ask(QUESTION, "job-1")
        with pytest.raises(Exception, match="NotInCassette|no recorded answer"):
            await ask("Where is my refund? I am ada@example.com", "job-2")
        asked_after = server.log.count()

    turns = [exchange for exchange in cassette.exchanges if exchange.step == "cassette-helper"]
    print(f"recorded turns={len(turns)} replayed turns={replayed.model_turns} requests during the replay="
          f"{asked_after - asked}")
    assert (recorded.model_turns, recorded.tool_calls, len(turns)) == (3, 2, 3)
    assert replayed.output == recorded.output == "Your kettle, order O-5001, is on its way."
    assert (replayed.model_turns, replayed.tool_calls) == (3, 2)
    assert asked_after == asked, "the replay asked the model server"
