"""An agent run's guards: the most turns, tokens and cost it may use, how often it may repeat one call, how many tool
calls of it run at once, and its wall time.

The guards are a pydantic-ai capability whose hooks run in the agent's loop, around (never inside) the cached model
and tool tasks, so a run resumed after a crash counts the replayed turns and calls again, in the same order, and
stops at the same point. A tripped guard raises AgentStopped naming it; the agent keeps the run's transcript with it.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import RunContext, ToolDefinition
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart

from agentic_kit._domain.errors import AgentStopped

MAX_TURNS, MAX_TOKENS, MAX_COST, REPEATED_CALL, WALL_TIME = "max_turns", "max_tokens", "max_cost_usd", \
    "repeated_call", "wall_seconds"
"""The guards' names, as a stopped run's dead letter and report name them."""

CURRENT_TOOL_CALL: ContextVar[str | None] = ContextVar("agentic_tool_call_id", default=None)
"""The model's id of the tool call running now (its span names it)."""


@dataclass(frozen=True)
class AgentLimits:
    """What one agent run may use; a run that would pass one stops as a dead letter naming it."""

    max_turns: int = 10
    """Model turns (requests) in one run."""
    max_tokens: int | None = None
    """Input plus output tokens of every turn, in all; None: no limit (the shared budget still applies)."""
    max_cost_usd: float | None = None
    """Cost of every turn at the model block's prices, in all; None: no limit (the shared budget still applies)."""
    repeated_calls: int = 2
    """How many times one identical call (the same tool with the same arguments) may be made in one run."""
    parallel_tool_calls: int = 4
    """Tool calls of one run that may run at once (each dependency's own limits apply on top)."""
    wall_seconds: float = 300.0
    """The run's wall time, approvals excluded."""


def call_signature(call: ToolCallPart) -> str:
    """A tool call's identity for the repeated-call guard: the tool and its arguments, keys sorted."""
    return f"{call.tool_name}:{json.dumps(call.args_as_dict(), sort_keys=True, default=str)}"


@dataclass
class AgentGuards(AbstractCapability[Any]):
    """The limits of one agent run, enforced in its loop; `messages` is the run's conversation as it stood last."""

    limits: AgentLimits
    price: Callable[[int, int], float]
    """The cost of (input tokens, output tokens) at the model's prices."""
    messages: list[ModelMessage] = field(default_factory=list)
    turns: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    tool_calls: int = 0
    _calls: Counter[str] = field(default_factory=Counter)
    _running: asyncio.Semaphore | None = None

    async def for_run(self, ctx: RunContext[Any]) -> AgentGuards:
        """This capability itself: an agent's guards are made for one run (see `Agent.run`)."""
        return self

    def _stop(self, guard: str, message: str) -> AgentStopped:
        return AgentStopped(f"agent stopped by its {guard} guard: {message}", guard)

    async def before_model_request(self, ctx: RunContext[Any], request_context: Any) -> Any:
        """Count the turn; one past max_turns stops the run before it is asked."""
        self.messages = ctx.messages
        self.turns += 1
        if self.turns > self.limits.max_turns:
            raise self._stop(MAX_TURNS, f"it would take turn {self.turns}, over max_turns={self.limits.max_turns}")
        return request_context

    async def after_model_request(self, ctx: RunContext[Any], *, request_context: Any,
                                  response: ModelResponse) -> ModelResponse:
        """Add the turn's tokens and cost; past a limit the run stops with this turn in its transcript."""
        self.messages = [*ctx.messages, response]
        usage = response.usage
        self.tokens += usage.input_tokens + usage.output_tokens
        self.cost_usd += self.price(usage.input_tokens, usage.output_tokens)
        if self.limits.max_tokens is not None and self.tokens > self.limits.max_tokens:
            raise self._stop(MAX_TOKENS, f"{self.tokens:,} tokens used, over max_tokens={self.limits.max_tokens:,}")
        if self.limits.max_cost_usd is not None and self.cost_usd > self.limits.max_cost_usd:
            raise self._stop(MAX_COST, f"${self.cost_usd:.4f} spent, over max_cost_usd=${self.limits.max_cost_usd}")
        return response

    async def wrap_tool_execute(self, ctx: RunContext[Any], *, call: ToolCallPart, tool_def: ToolDefinition,
                                args: Any, handler: Any) -> Any:
        """Run the call when the run's parallel cap allows; the same call once more than `repeated_calls` stops
        the run instead."""
        signature = call_signature(call)
        self._calls[signature] += 1
        if self._calls[signature] > self.limits.repeated_calls:
            raise self._stop(REPEATED_CALL, f"{call.tool_name} called with the same arguments "
                                            f"{self._calls[signature]} times (repeated_calls={self.limits.repeated_calls})")
        if self._running is None:
            self._running = asyncio.Semaphore(self.limits.parallel_tool_calls)
        async with self._running:
            self.tool_calls += 1
            token = CURRENT_TOOL_CALL.set(call.tool_call_id)
            try:
                return await handler(args)
            finally:
                CURRENT_TOOL_CALL.reset(token)
