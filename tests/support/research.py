"""Shared setup of the research-pipeline tests: the limits on the test server, a planner and a reviewer."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

from agentic_kit.testing import Responder, sample_instance
from agentic_kit.testing.model_server import message_text
from deployments.concurrency import RESEARCH_LIMITS, ensure_concurrency_limits

QUESTION = "How do heat pumps compare with gas boilers for homes in Bristol?"


@pytest.fixture
async def research_limits() -> None:
    """The research limits exist, with no slot held (a killed run of an earlier test may have left some)."""
    await ensure_concurrency_limits()
    await free_all_slots()


async def free_all_slots() -> None:
    """Set every research limit's active slots to 0, as an operator does after a crash."""
    async with get_client() as client:
        for spec in RESEARCH_LIMITS:
            await client.update_global_concurrency_limit(spec.name, GlobalConcurrencyLimitUpdate(active_slots=0))


def sub_questions(count: int) -> list[str]:
    """Distinct sub-questions for a planner to propose."""
    return [f"Question {i}: what do heat pumps cost to run in case {i}?" for i in range(1, count + 1)]


def research_responder(plan: dict[str, Any], score: float = 0.9) -> Responder:
    """A model that plans `plan`, reviews with `score` and answers everything else from the schema."""
    fixed: dict[str, Callable[[], Any]] = {
        "ResearchPlan": lambda: {"sub_questions": [], "urls": [], "tool_calls": [], **plan},
        "ResearchReview": lambda: {"score": score, "critique": "Clear and sourced.", "follow_up_questions": []},
    }

    def respond(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> Any:
        if key in fixed:
            return fixed[key]()
        last_user = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        return sample_instance(schema or {"type": "object"}, message_text(last_user))

    return respond


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll condition every 0.1 s; fail naming what never happened."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def sigkill(process: subprocess.Popen[bytes]) -> int:
    """Kill a process without letting it clean up, and return its exit code."""
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=10)
