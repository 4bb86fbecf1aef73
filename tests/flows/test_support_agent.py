"""The support agent, the kit's tool-calling example: `python -m flows.support_agent --question …` answers offline
with its MCP lookups, prints its line, and the same question again makes no model turn and no tool call."""

from __future__ import annotations

import re

from tests.conftest import run_python

QUESTION = "Hi, I am maya.lindqvist@example.com. How do I reset my password?"


def test_the_support_agent_answers_offline_and_the_second_run_makes_no_call() -> None:
    """1 question: 2 model turns made (the customer lookup and the help search called at once, then the answer),
    then 0."""
    first = run_python("-m", "flows.support_agent", "--question", QUESTION)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    line = re.search(r"^answer: (.+); (\d+) model turns, (\d+) tool calls, (\d+) approvals$", first.stdout, re.MULTILINE)
    assert line, first.stdout
    assert "Maya Lindqvist" in line.group(1) and "password" in line.group(1).lower()
    assert line.groups()[1:] == ("2", "2", "0")
    assert "1 questions: 1 answered, 0 failed; 2 model calls made" in first.stdout

    again = run_python("-m", "flows.support_agent", "--question", QUESTION)
    assert "1 questions: 1 answered, 0 failed; 0 model calls made" in again.stdout, again.stdout
    assert line.group(0) in again.stdout
