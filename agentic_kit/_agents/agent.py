"""A tool-calling agent on the kit: instructions, a model, tools and an output type, durable per turn and per call.

    support = Agent("support", instructions=SUPPORT, output=SupportReply,
                    tools=[lookup_order, refund], needs_approval={"refund"}, toolsets=[lookups_over_mcp()],
                    limits=AgentLimits(max_turns=8, parallel_tool_calls=4))

    reply = await support.run(question.text)        # inside an item's scope (a @pipeline, or `with item_scope(...)`)

The loop is pydantic-ai's (model turn, tool calls, model turn … until a validated output), with its tool schemas
from type hints, its toolsets and its MCP client. What the kit adds:

- every model turn and tool call is a cached Prefect task keyed by what shapes it, never the run
  (`agentic_kit/_agents/durability.py`): a run killed anywhere and run again makes no finished turn or call again;
- every turn goes through the model block's budget, limits, breaker, timeout, usage and span
  (`agentic_kit/_agents/agent_model.py`); tools guard their own calls with `guarded(dependency, ...)` and hand
  `idempotency_key()` to what they change;
- the guards (`AgentLimits`): a run they stop raises AgentStopped naming the guard, with its transcript, so a
  @pipeline records it as a dead letter that `agentic dead-letters replay` runs again;
- tools in `needs_approval` wait for a person's decision in the Prefect UI (`agentic_kit/_agents/approvals.py`);
- the run's transcript, counts and decisions are kept in the store's `agent_runs` and `tool_approvals` tables.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from prefect.context import FlowRunContext
from pydantic_ai import Agent as LoopAgent
from pydantic_ai import DeferredToolRequests, DeferredToolResults, NativeOutput, Tool, UsageLimits
from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.toolsets import AbstractToolset

from agentic_kit._agents.agent_model import GuardedModel
from agentic_kit._agents.approvals import APPROVAL_SCHEDULE, decide, with_decisions
from agentic_kit._agents.durability import KitDurability, agent_task_config
from agentic_kit._agents.guards import WALL_TIME, AgentGuards, AgentLimits
from agentic_kit._agents.observed_tools import observed_tool
from agentic_kit._agents.turn_budget import TurnBudget
from agentic_kit._blocks.agent_records import save_agent_run
from agentic_kit._blocks.agent_tables import AgentRunRow, ToolApprovalRow
from agentic_kit._domain.errors import AgentStopped
from agentic_kit._domain.models.common import Instructions
from agentic_kit._domain.models.documents import ReviewSchedule
from agentic_kit._steps.item_scope import ItemScope, current_scope
from agentic_kit._steps.observe import record_cached_answers
from agentic_kit._steps.policies import LLM_CALL, TOOL_CALL, TaskOptions, hash_of

OutputT = TypeVar("OutputT")
DependencyT = TypeVar("DependencyT")
ANSWERED, STOPPED = "answered", "stopped"

_dependencies: ContextVar[Sequence[object]] = ContextVar("agentic_agent_dependencies", default=())


def tool_dependency(kind: type[DependencyT]) -> DependencyT:
    """The block of this type the running agent was given (`Agent.run(..., uses=[...])`), for a tool's body."""
    found = next((value for value in _dependencies.get() if isinstance(value, kind)), None)
    if found is None:
        raise RuntimeError(f"a tool asked for a {kind.__name__}, but the agent was not given one: pass it in "
                           f"`agent.run(..., uses=[...])`")
    return found


@contextmanager
def _using(dependencies: Sequence[object]) -> Iterator[None]:
    token = _dependencies.set(dependencies)
    try:
        yield
    finally:
        _dependencies.reset(token)


@dataclass
class AgentRun(Generic[OutputT]):
    """What one agent run did: its output, how many turns, tool calls and approval decisions, and its transcript."""

    output: OutputT
    model_turns: int
    tool_calls: int
    approvals: list[ToolApprovalRow] = field(default_factory=list)
    messages: list[ModelMessage] = field(default_factory=list)

    def transcript(self) -> str:
        """The conversation as pydantic-ai's JSON messages."""
        return ModelMessagesTypeAdapter.dump_json(self.messages).decode()


def model_turns(messages: Sequence[ModelMessage]) -> int:
    """The model's answers in a conversation."""
    return sum(isinstance(message, ModelResponse) for message in messages)


class Agent(Generic[OutputT]):
    """A tool-calling agent; `run` it inside an item's scope. See the module docstring."""

    def __init__(self, name: str, *, instructions: Instructions | str, output: type[OutputT] = str,  # type: ignore[assignment]
                 tools: Sequence[Callable[..., Any] | Tool[Any]] = (), needs_approval: Collection[str] = (),
                 toolsets: Sequence[AbstractToolset[Any]] = (), limits: AgentLimits | None = None,
                 approval_schedule: ReviewSchedule = APPROVAL_SCHEDULE,
                 policy: TaskOptions = LLM_CALL, tool_policy: TaskOptions = TOOL_CALL) -> None:
        self.name, self.output_type = name, output
        self.instructions = instructions if isinstance(instructions, Instructions) else Instructions(text=instructions)
        self.tools = [self._tool(name, tool, needs_approval) for tool in tools]
        self.toolsets, self.limits = list(toolsets), limits or AgentLimits()
        self.approval_schedule, self.policy, self.tool_policy = approval_schedule, policy, tool_policy

    @staticmethod
    def _tool(agent: str, tool: Callable[..., Any] | Tool[Any], needs_approval: Collection[str]) -> Tool[Any]:
        """A pydantic-ai tool (a function: observed), marked as needing approval when its name is in
        needs_approval."""
        made = tool if isinstance(tool, Tool) else Tool(observed_tool(agent, tool))
        if made.name in needs_approval:
            made.requires_approval = True
        return made

    def _loop(self, scope: ItemScope, guards: AgentGuards, budget: TurnBudget | None) -> LoopAgent[None, Any]:
        """pydantic-ai's agent for one run: the scope's model, guarded; each turn and call a cached task."""
        model = GuardedModel(scope.model, scope.store, self.name, scope.item_id, self.output_type, budget)
        durability = KitDurability(
            name=self.name,
            model_task_config=agent_task_config(self.policy, self.name, self.instructions, scope.model),
            tool_task_config=agent_task_config(self.tool_policy, self.name, self.instructions, scope.model),
            mcp_task_config=agent_task_config(self.tool_policy, self.name, self.instructions, scope.model))
        output: Any = self.output_type if self.output_type is str else NativeOutput(self.output_type)
        return LoopAgent(model, name=self.name, instructions=self.instructions.text,
                         output_type=[output, DeferredToolRequests], tools=self.tools,
                         toolsets=self.toolsets, capabilities=[guards, durability])

    async def run(self, prompt: str, *, job: str | None = None, uses: Sequence[object] = (),
                  budget: TurnBudget | None = None) -> AgentRun[OutputT]:
        """Run the agent on prompt until its validated output. `job` names what the run works on (default: the item);
        `uses` are the blocks its tools ask for with `tool_dependency`; `budget` is one its turns are charged to
        beside the pipeline's shared budget (a job's own)."""
        scope = current_scope()
        scope.step = self.name
        calls_before = scope.model_calls
        job = job or scope.item_id or hash_of(prompt)
        guards = AgentGuards(self.limits, price=lambda tokens_in, tokens_out: scope.model.cost_usd(tokens_in,
                                                                                                    tokens_out))
        loop, decisions = self._loop(scope, guards, budget), []
        history: list[ModelMessage] | None = None
        results: DeferredToolResults | None = None
        spent = 0.0
        try:
            with _using(uses):
                while True:
                    started, timer = time.monotonic(), asyncio.timeout(self.limits.wall_seconds - spent)
                    try:
                        async with timer:
                            result = await loop.run(prompt if history is None else None, message_history=history,
                                                    deferred_tool_results=results, metadata={"job": job},
                                                    usage_limits=UsageLimits(request_limit=self.limits.max_turns + 1))
                    except TimeoutError as timed_out:
                        if not timer.expired():
                            raise
                        raise AgentStopped(f"agent stopped by its {WALL_TIME} guard: it ran "
                                           f"{self.limits.wall_seconds:g} s", WALL_TIME) from timed_out
                    spent += time.monotonic() - started
                    history = result.all_messages()
                    if not isinstance(result.output, DeferredToolRequests):
                        break
                    results, decided = await decide(self.name, job, result.output, history, scope.store,
                                                    self.approval_schedule)
                    decisions += decided
        except AgentStopped as stopped:
            raise await self._stopped(scope, job, stopped.guard, str(stopped), guards, decisions) from stopped
        run: AgentRun[OutputT] = AgentRun(result.output, model_turns(history), guards.tool_calls, decisions, history)
        record_cached_answers(scope.store, self.name, scope.model.model,
                              count=run.model_turns - (scope.model_calls - calls_before))
        await self._save(scope, job, ANSWERED, None, run)
        return run

    async def _stopped(self, scope: ItemScope, job: str, guard: str, message: str, guards: AgentGuards,
                       decisions: list[ToolApprovalRow]) -> AgentStopped:
        """Keep a stopped run's transcript; the error to raise names the guard and carries the transcript."""
        run: AgentRun[None] = AgentRun(None, model_turns(guards.messages), guards.tool_calls, decisions,
                                       guards.messages)
        await self._save(scope, job, STOPPED, guard, run)
        return AgentStopped(f"{self.name}: {message}", guard, raw=run.transcript())

    async def _save(self, scope: ItemScope, job: str, status: str, guard: str | None, run: AgentRun[Any]) -> None:
        context = FlowRunContext.get()
        await asyncio.to_thread(save_agent_run, scope.store, AgentRunRow(
            agent=self.name, job=job, status=status, guard=guard, model_turns=run.model_turns,
            tool_calls=run.tool_calls, approvals=len(run.approvals),
            transcript=ModelMessagesTypeAdapter.dump_json(
                with_decisions(self.name, job, run.messages, run.approvals)).decode(),
            flow_run_id=str(context.flow_run.id) if context and context.flow_run else None))
