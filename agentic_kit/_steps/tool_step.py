"""A tool step: a call to an outside API through a declared dependency, with the tool-call policy.

    @tool_step("lookup_customer", dependency=EnrichmentApi)
    async def lookup_customer(email: str, directory: EnrichmentApi) -> Customer:
        ...

    customer = await lookup_customer(ticket.email, blocks.enrichment)   # inside an item's scope

A dependency is a block with `limits()` (its rate and concurrency limits, Prefect global limits) and `breaker` (its
circuit breaker's settings), found among the step's arguments by type. Each call of the function waits for the
dependency's turn, runs within the tool-call timeout through the dependency's shared circuit breaker, and is
observed (a span, a row in `calls`). The step is a Prefect task named after the step (retried on transient errors
only, cached across runs by its inputs as they shape the answer), indexed in the cache index. A step that makes
several guarded calls itself (many entities at once) says `guard=False` and guards each call with `guarded`. Declaring a step declares its dependency: `make deploy` creates the limits of every one
(`declared_dependencies`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, runtime_checkable

import httpx
from prefect import Task
from prefect.utilities.annotations import quote

from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.resilience.dependency_limits import DependencyLimits, LimitSpec
from agentic_kit._blocks.resilience.transport_errors import from_httpx
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._steps.cache_index import indexed
from agentic_kit._steps.calls import guarded_call
from agentic_kit._steps.item_scope import current_scope
from agentic_kit._steps.model_step import quoted_arguments, step_run_name, task_signature
from agentic_kit._steps.observe import TOOL, observed_call
from agentic_kit._steps.policies import POLICY, TOOL_CALL, TaskOptions

P = ParamSpec("P")
R = TypeVar("R")


@runtime_checkable
class Dependency(Protocol):
    """An outside service a tool calls: its limits and its circuit breaker's settings."""

    breaker: BreakerSettings

    def limits(self) -> DependencyLimits:
        """The dependency's rate and concurrency limits."""
        ...


_declared: dict[str, type[Any]] = {}


def declared_dependencies() -> list[type[Any]]:
    """The block types every imported tool step depends on (the bootstrap creates their limits)."""
    return list(_declared.values())


async def declared_limit_specs(block_name: str) -> list[LimitSpec]:
    """The global limits of every declared dependency: of its saved block called block_name, else of the block the
    environment describes."""
    specs: list[LimitSpec] = []
    for block_type in declared_dependencies():
        try:
            block = await block_type.aload(block_name)
        except ValueError:
            block = block_type.from_environment()
        specs += block.limits().specs()
    return specs


async def guarded(dependency: Dependency, step: str, call: Callable[[], Awaitable[R]],
                  store: PipelineStore | None = None) -> R:
    """One observed call of a dependency: its turn, the tool timeout, its circuit breaker. An httpx error the call
    raises becomes the kit's (a 429, a 5xx or a dropped connection transient: retried, counted by the breaker)."""
    store = store or current_scope().store
    name = dependency.limits().dependency

    async def mapped() -> R:
        try:
            return await call()
        except httpx.HTTPError as exc:
            raise from_httpx(exc, name) from exc

    async with observed_call(TOOL, step, name, store):
        return await guarded_call(dependency.limits(), dependency.breaker, store, POLICY.tool_timeout_seconds, mapped)


class ToolStep(Generic[P, R]):
    """A tool step: call it (inside an item's scope) with the declared function's arguments."""

    def __init__(self, name: str, function: Callable[P, Awaitable[R]], policy: TaskOptions,
                 task_run_name: str | None, guard: bool) -> None:
        self.name = name

        async def run(*args: Any, store: PipelineStore, **kwargs: Any) -> R:
            if not guard:
                return await function(*args, **kwargs)
            dependency = next((value for value in (*args, *kwargs.values()) if isinstance(value, Dependency)), None)
            if dependency is None:
                raise TypeError(f"tool step {name}: no argument is a dependency (a block with limits() and breaker)")
            return await guarded(dependency, name, lambda: function(*args, **kwargs), store)

        functools.update_wrapper(run, function)  # TASK_SOURCE reads the declared function's source
        run.__signature__ = task_signature(function, store=PipelineStore)  # type: ignore[attr-defined]
        self.task: Task[..., Coroutine[Any, Any, R]] = indexed(Task(
            fn=run, name=name, task_run_name=task_run_name or step_run_name(name), **policy))

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """The tool's answer on these arguments, from cache when it ran before."""
        scope = current_scope()
        scope.step = self.name
        positional, named = quoted_arguments(args, kwargs)
        return await self.task(*positional, **named, store=quote(scope.store))


def tool_step(name: str, *, dependency: type[Any], policy: TaskOptions = TOOL_CALL, task_run_name: str | None = None,
              guard: bool = True) -> Callable[[Callable[P, Awaitable[R]]], ToolStep[P, R]]:
    """Declare a tool step calling `dependency` (a block type with limits() and breaker); see the module docstring."""

    def declare(function: Callable[P, Awaitable[R]]) -> ToolStep[P, R]:
        _declared[f"{dependency.__module__}.{dependency.__qualname__}"] = dependency
        return ToolStep(name, function, policy, task_run_name, guard)

    return declare

