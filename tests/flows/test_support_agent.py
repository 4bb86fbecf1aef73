"""The support agent, the kit's tool-calling example: `python -m flows.support_agent --question …` answers offline
with its MCP lookups and prints its line (that a second run pays for nothing is tests/agents/test_durable_agent.py's
and test_mcp_tools.py's)."""

from __future__ import annotations

import re

from tests.conftest import run_python

QUESTION = "Hi, I am maya.lindqvist@example.com. How do I reset my password?"


def test_the_support_agent_answers_a_question_offline() -> None:
    """1 question: 2 model turns made (the customer lookup and the help search called at once, then the answer)."""
    first = run_python("-m", "flows.support_agent", "--question", QUESTION)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    line = re.search(r"^answer: (.+); (\d+) model turns, (\d+) tool calls, (\d+) approvals$", first.stdout, re.MULTILINE)
    assert line, first.stdout
    assert "Maya Lindqvist" in line.group(1) and "password" in line.group(1).lower()
    assert line.groups()[1:] == ("2", "2", "0")
    assert "1 questions: 1 answered, 0 failed; 2 model calls made" in first.stdout

