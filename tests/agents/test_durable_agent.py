"""An agent's turns and tool calls are cached tasks: a second run of the same job makes no turn and no call again,
each call's idempotency key is stable across runs and differs between calls, and the run is kept in the store."""

from __future__ import annotations

from typing import Any

from prefect import flow
from sqlmodel import Session, select

from agentic_kit import Agent, AgentRun, LanguageModel, PipelineStore, idempotency_key, item_scope

made: list[tuple[str, str, str]] = []
"""Every tool call that ran its body: (tool, argument, idempotency key)."""


async def lookup_customer(email: str) -> dict[str, Any]:
    """The customer with this email."""
    made.append(("lookup_customer", email, idempotency_key()))
    return {"customer_id": "C-1001", "name": "Ada", "email": email}


async def order_history(customer_id: str) -> list[dict[str, Any]]:
    """The customer's orders."""
    made.append(("order_history", customer_id, idempotency_key()))
    return [{"order_id": "O-5001", "item": "kettle", "amount_usd": 40.0}]


HELPER = Agent("order-helper", instructions="Answer questions about a customer's orders.",
               tools=[lookup_customer, order_history])


@flow(persist_result=True)
async def ask(question: str, job: str) -> AgentRun[str]:
    with item_scope(job, LanguageModel.from_environment(), PipelineStore.from_environment()):
        return await HELPER.run(question)


async def test_a_second_run_of_a_job_makes_no_turn_and_no_call_again() -> None:
    made.clear()
    first = await ask("Where is my order? I am ada@example.com", "job-1")
    assert [call[:2] for call in made] == [("lookup_customer", "ada@example.com"), ("order_history", "C-1001")]
    assert (first.model_turns, first.tool_calls) == (3, 2)
    assert "O-5001" in first.output
    keys = [call[2] for call in made]
    assert len(set(keys)) == 2

    again = await ask("Where is my order? I am ada@example.com", "job-1")
    assert len(made) == 2, "the second run made a tool call again"
    assert again.output == first.output

    other = await ask("Where is my order? I am ada@example.com", "job-2")
    assert len(made) == 4, "another job's calls were answered from the first job's cache"
    assert not {call[2] for call in made[2:]} & set(keys)
    assert other.output == first.output

    from agentic_kit._blocks.agent_tables import AgentRunRow
    from agentic_kit._blocks.tables import CallRow, ModelUsageRow
    with Session(PipelineStore.from_environment().engine()) as session:
        turns = session.exec(select(ModelUsageRow).where(ModelUsageRow.step == "order-helper")).all()
        runs = session.exec(select(AgentRunRow)).all()
        tool_rows = session.exec(select(CallRow).where(CallRow.kind == "tool")).all()
    assert sorted((row.step, row.target, row.outcome) for row in tool_rows) == [
        ("order-helper", "lookup_customer", "ok"), ("order-helper", "lookup_customer", "ok"),
        ("order-helper", "order_history", "ok"), ("order-helper", "order_history", "ok")], "one row per call made"
    assert len(turns) == 6, "turns made: 3 per job, none for the repeated job"
    assert {(run.job, run.status, run.model_turns, run.tool_calls) for run in runs} == {
        ("job-1", "answered", 3, 2), ("job-2", "answered", 3, 2)}
