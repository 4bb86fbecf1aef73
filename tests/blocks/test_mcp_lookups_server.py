"""The agentic-lookups MCP server, as a real subprocess driven by the official SDK client over stdio and HTTP."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULE = "agentic_kit.enrichment_service.mcp_server"


@asynccontextmanager
async def stdio_session() -> AsyncIterator[ClientSession]:
    """An initialized client session with the server spawned over stdio."""
    params = StdioServerParameters(command=sys.executable, args=["-m", MODULE], cwd=REPO_ROOT)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """The structured answer of a tool call that must succeed."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def test_lists_the_three_tools_with_their_parameters() -> None:
    async with stdio_session() as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == {"lookup_entity", "lookup_customer", "search_knowledge"}
    assert set(tools["lookup_entity"].input_schema["properties"]) == {"name", "type"}
    assert tools["lookup_entity"].input_schema["required"] == ["name"]
    assert set(tools["lookup_customer"].input_schema["properties"]) == {"email"}
    assert set(tools["search_knowledge"].input_schema["properties"]) == {"query", "limit"}
    assert all(tool.description for tool in tools.values())


async def test_lookup_customer_matches_email_case_insensitively_and_reports_unknown() -> None:
    async with stdio_session() as session:
        known = await call(session, "lookup_customer", email="Maya.Lindqvist@EXAMPLE.com")
        unknown = await call(session, "lookup_customer", email="nobody@example.com")
    assert known["found"] is True and known["customer_id"] == "C-1001" and known["plan"] == "Pro"
    assert [order["order_id"] for order in known["orders"]] == ["O-5001", "O-5007"]
    assert unknown == {"found": False, "email": "nobody@example.com"}


async def test_lookup_entity_answers_from_the_enrichment_catalog() -> None:
    async with stdio_session() as session:
        found = await call(session, "lookup_entity", name="kestrel freight")
        missing = await call(session, "lookup_entity", name="Nonexistent Widgets Ltd")
    assert found["found"] is True and found["canonical_name"] == "Kestrel Freight Corp."
    assert found["entity_type"] == "ORG" and found["attributes"]["headquarters"] == "Rotterdam, Netherlands"
    assert missing["found"] is False and missing["name"] == "Nonexistent Widgets Ltd"


async def test_search_knowledge_ranks_the_refund_article_first() -> None:
    async with stdio_session() as session:
        hits = (await call(session, "search_knowledge", query="refund"))["result"]
        none = (await call(session, "search_knowledge", query="xylophone"))["result"]
    assert hits[0]["title"] == "Refund policy" and "30 days of delivery" in hits[0]["text"]
    assert all(hit["score"] > 0 for hit in hits)
    assert none == []


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until_listening(process: asyncio.subprocess.Process, port: int, timeout: float = 15.0) -> None:
    """Return once the server accepts connections on port; fail if it exits or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.returncode is None, f"server exited with {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"server did not listen on port {port} within {timeout}s")


async def test_streamable_http_serves_the_tools(tmp_path: Path) -> None:
    port = free_port()
    with (tmp_path / "server.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", MODULE, "--http", "--port", str(port), cwd=REPO_ROOT, stdout=log, stderr=log
        )
        try:
            await wait_until_listening(process, port)
            async with (
                streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                customer = await call(session, "lookup_customer", email="aiko.tanaka@example.com")
            assert customer["found"] is True and customer["customer_id"] == "C-1003"
        finally:
            if process.returncode is None:
                process.terminate()
            await asyncio.wait_for(process.wait(), timeout=10)
