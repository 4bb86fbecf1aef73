"""Tools from MCP servers, over stdio or streamable HTTP, for an agent's `toolsets`.

pydantic-ai's MCPToolset is the client (FastMCP's client on the official MCP SDK). Each toolset gets an explicit id,
because a tool call's cache key names the toolset by it: a key that depended on a host name or a process would not
survive into the next run. Listing a server's tools and calling one are tasks of the agent's run, cached like its
other tool calls; each call is observed (a span and a `calls` row) and sends its idempotency key in `_meta`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agentic_kit._agents.observed_tools import observed_mcp_call

if TYPE_CHECKING:
    from pydantic_ai.mcp import MCPToolset

LOOKUPS_SERVER = "agentic_kit.enrichment_service.mcp_server"
"""The MCP server the kit ships: entity lookups, customers, a help-center search."""


def mcp_stdio(toolset_id: str, command: str, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
              ) -> MCPToolset[Any]:
    """The tools of an MCP server this process starts and talks to over stdio."""
    from fastmcp.client import Client  # the MCP client (3 s to import) only when an agent gets MCP tools
    from fastmcp.client.transports import StdioTransport
    from pydantic_ai.mcp import MCPToolset

    transport = StdioTransport(command=command, args=list(args), env=dict(env) if env is not None else None)
    return MCPToolset(Client(transport), id=toolset_id, tool_error_behavior="failed",
                      process_tool_call=observed_mcp_call)


def mcp_http(toolset_id: str, url: str, headers: Mapping[str, str] | None = None) -> MCPToolset[Any]:
    """The tools of an MCP server over streamable HTTP at url (e.g. http://127.0.0.1:8767/mcp)."""
    from fastmcp.client import Client
    from fastmcp.client.transports import StreamableHttpTransport
    from pydantic_ai.mcp import MCPToolset

    transport = StreamableHttpTransport(url, headers=dict(headers or {}))
    return MCPToolset(Client(transport), id=toolset_id, tool_error_behavior="failed",
                      process_tool_call=observed_mcp_call)


def lookups_over_mcp(toolset_id: str = "lookups") -> MCPToolset[Any]:
    """The kit's own MCP server over stdio: `lookup_entity`, `lookup_customer`, `search_knowledge`."""
    return mcp_stdio(toolset_id, sys.executable, ["-m", LOOKUPS_SERVER])
