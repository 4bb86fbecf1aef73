"""An agent's tool calls, its own tools' and its MCP servers', observed like every tool call of the kit: a GenAI span
(`execute_tool <tool>`, with `gen_ai.tool.name` and `gen_ai.tool.call.id`) and a row in the store's `calls` table,
which the metrics count per tool. The observation runs inside the call's cached task, so a call answered from cache
is not counted again. An MCP call also sends its idempotency key to the server, in the request's `_meta`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydantic_ai import RunContext

from agentic_kit._agents.durability import IDEMPOTENCY_META, idempotency_key
from agentic_kit._agents.guards import CURRENT_TOOL_CALL
from agentic_kit._steps.item_scope import scope_or_none
from agentic_kit._steps.observe import TOOL, observed_call

if TYPE_CHECKING:
    from pydantic_ai.mcp import CallToolFunc  # the MCP client is imported only by an agent that has MCP tools


def observed_tool(agent: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The tool function, its every call observed under the agent's name (its signature and docstring kept, so the
    tool's schema is the function's)."""

    @functools.wraps(function)
    async def observed(*args: Any, **kwargs: Any) -> Any:
        scope = scope_or_none()
        async with observed_call(TOOL, agent, function.__name__, scope.store if scope else None,
                                 call_id=CURRENT_TOOL_CALL.get()):
            return await function(*args, **kwargs)

    return observed


async def observed_mcp_call(context: RunContext[Any], call_tool: CallToolFunc, name: str,
                            arguments: dict[str, Any]) -> Any:
    """One MCP tool call (an MCPToolset's `process_tool_call`), observed under the agent's name, with its
    idempotency key."""
    scope = scope_or_none()
    agent = context.agent.name if context.agent is not None and context.agent.name else "agent"
    async with observed_call(TOOL, agent, name, scope.store if scope else None, call_id=context.tool_call_id):
        return await call_tool(name, arguments, metadata={IDEMPOTENCY_META: idempotency_key()})
