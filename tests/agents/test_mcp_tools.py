"""An agent's tools from an MCP server over stdio (the kit's own lookups server, started by the toolset): listed,
called with the model's arguments, and cached: a second run of the job answers every MCP call from cache."""

from __future__ import annotations

import asyncio
from uuid import UUID

from prefect import flow, get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlmodel import Session, select

from agentic_kit import Agent, AgentRun, LanguageModel, PipelineStore, item_scope, lookups_over_mcp
from agentic_kit._blocks.tables import CallRow

SETTLE_POLLS = 40
LOOKUPS = Agent("lookups", instructions="Answer with what the lookups know.", toolsets=[lookups_over_mcp()])


@flow(persist_result=True)
async def ask(question: str) -> AgentRun[str]:
    with item_scope("mcp-job", LanguageModel.from_environment(), PipelineStore.from_environment()):
        return await LOOKUPS.run(question)


async def _mcp_task_states(flow_run_id: UUID) -> dict[str, str]:
    """The final states of a flow run's MCP tasks, by task name (without its counter). The server records task run
    states from their events, a moment after the run ended: read until none is still Pending or Running."""
    async with get_client() as client:
        for _ in range(SETTLE_POLLS):
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            states = {run.name.rsplit("-", 1)[0]: run.state_name or "" for run in runs if "MCP" in run.name}
            if not {"Pending", "Running"} & set(states.values()):
                break
            await asyncio.sleep(0.5)
    return states


async def test_mcp_tools_are_listed_called_and_cached() -> None:
    """3 MCP tools listed; 2 called in the first run (the customer and the help search), 0 in the second."""
    question = "I am maya.lindqvist@example.com, how do I reset my password?"
    first_state = await ask(question, return_state=True)
    first = await first_state.aresult()
    assert "Maya Lindqvist" in first.output and "password" in first.output.lower()
    assert first.tool_calls == 3, "lookup_customer and search_knowledge, then lookup_entity by the customer's name"
    states = await _mcp_task_states(first_state.state_details.flow_run_id)
    assert states == {"Get MCP Tools: lookups": "Completed", "Call MCP Tool: lookup_customer": "Completed",
                      "Call MCP Tool: search_knowledge": "Completed", "Call MCP Tool: lookup_entity": "Completed"}

    second_state = await ask(question, return_state=True)
    assert (await second_state.aresult()).output == first.output
    states = await _mcp_task_states(second_state.state_details.flow_run_id)
    assert set(states.values()) == {"Cached"}, states
    with Session(PipelineStore.from_environment().engine()) as session:
        rows = session.exec(select(CallRow).where(CallRow.kind == "tool")).all()
    assert sorted((row.step, row.target) for row in rows) == [
        ("lookups", "lookup_customer"), ("lookups", "lookup_entity"), ("lookups", "search_knowledge")], \
        "one observed call per MCP call made, none for the cached ones"
