"""The fixed list of tools the research planner may call, and the task that calls one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

from prefect import task

from agentic_kit import TOOL_CALL, EnrichmentApi, RequestRejected, enrich_one, indexed
from agentic_kit.models import Entity, EntityType, ToolCall, ToolResult
from agentic_kit.store import PipelineStore
from tasks.research.limits import AgentKind, agent_turn


class Tool(NamedTuple):
    """A tool: what the planner is told it does, and how it runs on its one argument."""

    description: str
    run: Callable[[str, EnrichmentApi, PipelineStore], Awaitable[str]]


async def enrich_entity(argument: str, api: EnrichmentApi, store: PipelineStore) -> str:
    """What the enrichment API knows about a name, in one line (through the API's own limits and breaker)."""
    found = await enrich_one(Entity(name=argument, type=EntityType.OTHER), api, store)
    if not found.found:
        return f"{argument}: not known to the enrichment API"
    return f"{found.canonical_name or argument}: {found.description or 'no description'} ({found.url or 'no URL'})"


TOOLS: dict[str, Tool] = {
    "enrich_entity": Tool("What the enrichment API knows about a named person, organisation, place or product.",
                          enrich_entity),
}
"""Every tool a plan may name; any other name is refused when the plan is validated."""


def offered_tools(enrichment: EnrichmentApi) -> dict[str, str]:
    """The tools this run can actually call (none needs more than the enrichment API), with their descriptions."""
    return {name: tool.description for name, tool in TOOLS.items()} if enrichment.configured else {}


@indexed
@task(name="call-tool", task_run_name="call-tool[{call.tool}:{call.argument}]", **TOOL_CALL)
async def call_tool(call: ToolCall, api: EnrichmentApi, store: PipelineStore) -> ToolResult:
    """Run one validated tool call in the tools' turn."""
    tool = TOOLS.get(call.tool)
    if tool is None:
        raise RequestRejected(f"{call.tool} is not one of the tools: {', '.join(TOOLS)}")
    async with agent_turn(AgentKind.TOOL):
        return ToolResult(call=call, text=await tool.run(call.argument, api, store))
