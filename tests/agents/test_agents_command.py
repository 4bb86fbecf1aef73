"""`agentic agents list|show`: the kept runs of an agent and one run's transcript, turn by turn."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from typer.testing import CliRunner, Result

from agentic_kit._operate.cli.app import app
from tests.agents.test_durable_agent import ask


async def agentic(*args: str, **options: Any) -> Result:
    """`agentic ARGS` in this process (in a thread: the command runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), **options)


async def test_agents_list_and_show_a_run_s_transcript() -> None:
    """1 run kept: listed with its figures; shown with its question, both tool calls and their answers."""
    await ask("Where is my order? I am ada@example.com", "job-cli")
    result = await agentic("agents", "list", "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    listed = json.loads(result.stdout)
    assert [(r["agent"], r["job"], r["status"], r["model_turns"], r["tool_calls"]) for r in listed] == [
        ("order-helper", "job-cli", "answered", 3, 2)]
    shown = await agentic("agents", "show", "order-helper", "job-cli", terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "question: Where is my order? I am ada@example.com" in shown.stdout
    assert "model calls lookup_customer(" in shown.stdout and "order_history answers:" in shown.stdout
    missing = await agentic("agents", "show", "order-helper", "no-such-job")
    assert missing.exit_code == 3 and "no run of agent 'order-helper'" in missing.stderr
