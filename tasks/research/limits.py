"""Each agent type's own queue: a Prefect global concurrency limit (how many at once) and a rate limit.

The limits' figures live in `deployments/concurrency.py`, which creates them; here are their names
and how a step takes its turn. Both use `strict=True`: a missing limit is an error, never "no limit",
and the figures on the server are the ones that count (edit them in the UI and the next turn obeys).
A step takes its agent type's turn inside its task, after Prefect's cache check, so an answer from
cache never queues; the model's or the API's own limits (`agentic_kit/_blocks/resilience/dependency_limits.py`) apply inside.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

from prefect.concurrency.asyncio import concurrency, rate_limit

from agentic_kit import SLOT_LEASE_SECONDS


class AgentKind(StrEnum):
    """The agent and tool types of the research pipeline, each with its own limits."""

    PLANNER = "planner"
    RESEARCHER = "researcher"
    SCRAPER = "scraper"
    TOOL = "tool"
    SYNTHESIZER = "synthesizer"
    REVIEWER = "reviewer"

    @property
    def calls_model(self) -> bool:
        """Whether this kind of step is a model call (and so spends the budget)."""
        return self not in (AgentKind.SCRAPER, AgentKind.TOOL)


def concurrency_limit_name(kind: AgentKind) -> str:
    """The global concurrency limit capping how many steps of this kind run at once."""
    return f"research-{kind}-concurrency"


def rate_limit_name(kind: AgentKind) -> str:
    """The global concurrency limit with slot decay that paces this kind's calls."""
    return f"research-{kind}-rate"


@asynccontextmanager
async def agent_turn(kind: AgentKind) -> AsyncIterator[None]:
    """Wait for one of this kind's slots and for its rate limit, and hold the slot while the block runs."""
    async with concurrency(concurrency_limit_name(kind), occupy=1, strict=True, lease_duration=SLOT_LEASE_SECONDS):
        await rate_limit(rate_limit_name(kind), strict=True)
        yield
