"""How an agent's turns and tool calls are cached: Prefect tasks keyed by what shapes them, never by the run.

pydantic-ai's PrefectDurability makes each model turn and each tool call a Prefect task; its own cache policy ends in
RUN_ID, so a new run after a crash pays for every turn again. The kit keeps pydantic-ai's input projection (the
conversation so far with timestamps and run ids dropped and framework call ids normalized, the tools' schemas, the
run's metadata, which holds the job) and adds to it what the kit keys every step by: the source, the result format,
the agent's name, its instructions' version and the model's cache identity, with the workers' shared lock manager.
A tool call's key also holds its call id and the conversation before it: its place in the run.

Inside a tool call, `idempotency_key()` is that call's cache key: the same in every attempt and every resumed run,
different for every other call, so a tool hands it to the service it changes (an HTTP tool as `Idempotency-Key`) and
the side effect happens once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from prefect import Task, task
from prefect.cache_policies import CachePolicy, CompoundCachePolicy, RunId, TaskSource
from prefect.transactions import get_transaction
from prefect.utilities.annotations import quote
from pydantic_ai.durable_exec._operation import CapabilityOperationId, DurableOperationId, EventStreamHandlerId
from pydantic_ai.durable_exec._operation_backend import DurableOperationBackend
from pydantic_ai.durable_exec.prefect import DEFAULT_PYDANTIC_AI_CACHE_POLICY, PrefectDurability, TaskConfig
from pydantic_ai.durable_exec.prefect._operation_backend import PrefectOperationBackend, PrefectOperationConfig

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._domain.models.common import Instructions
from agentic_kit._steps.policies import InstructionsVersion, TaskOptions, hash_of, resumable_cache

AGENT_FORMAT_VERSION = "2"
"""The layout of an agent's cached turns and calls: bump it when a change makes old entries unreadable (2: inputs
quoted, one tuple)."""
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_META = "idempotency_key"
"""Where an MCP tool call carries its idempotency key: the request's `_meta`."""


def conversation_inputs() -> CachePolicy:
    """pydantic-ai's projection of a turn's or call's inputs, without the run id it adds by default."""
    parts = DEFAULT_PYDANTIC_AI_CACHE_POLICY.policies if isinstance(
        DEFAULT_PYDANTIC_AI_CACHE_POLICY, CompoundCachePolicy) else [DEFAULT_PYDANTIC_AI_CACHE_POLICY]
    return next(part for part in parts if not isinstance(part, RunId | TaskSource))


@dataclass
class AgentIdentity(CachePolicy):
    """The agent (its name, the layout version) and its model's cache identity: a turn or call of another agent or
    model never answers for this one."""

    value: str = ""

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any],
                    **kwargs: Any) -> str | None:
        """The identity itself."""
        return self.value


def agent_task_config(policy: TaskOptions, agent: str, instructions: Instructions, model: LanguageModel) -> TaskConfig:
    """A turn's or tool call's task options: the policy's retries and timeout, cached as the module docstring says."""
    identity = AgentIdentity(value=hash_of(agent, AGENT_FORMAT_VERSION, model.cache_identity()))
    cache = resumable_cache(inputs=conversation_inputs()) + InstructionsVersion(instructions=instructions) + identity
    options: dict[str, Any] = {**policy, "cache_policy": cache}
    return TaskConfig(**options)  # type: ignore[typeddict-item]  # Prefect's task options, a superset of TaskConfig


_OPERATION_BODY: ContextVar[Callable[[], Awaitable[object]]] = ContextVar("agentic_agent_operation_body")


@task
async def agent_operation(operation_name: str, logical_inputs: tuple[object, ...]) -> object:
    """One model turn or tool call of an agent: the body pydantic-ai hands over (in a context variable, so only the
    operation's name and logical inputs shape the cache key)."""
    return await _OPERATION_BODY.get()()


class QuotedOperations(PrefectOperationBackend):
    """pydantic-ai's Prefect operations as one task declared once, each turn's and tool call's inputs handed over
    quoted. pydantic-ai declares a new task for every operation (Prefect reads its source each time) and Prefect walks
    the whole conversation twice a task run, looking for futures it never holds: a third of an agent's CPU.

    Event-stream and capability operations keep pydantic-ai's way: their sequence keys read its input layout.
    """

    def __init__(self, *, config: PrefectOperationConfig, event_sequence_key: str) -> None:
        super().__init__(config=config, event_sequence_key=event_sequence_key)
        self._named: dict[str, list[tuple[TaskConfig, Task[..., Any]]]] = {}

    async def execute(self, *, operation_id: DurableOperationId, name: str, body: Callable[[], Awaitable[object]],
                      cache_key: tuple[object, ...], config: TaskConfig) -> object:
        if isinstance(operation_id, EventStreamHandlerId | CapabilityOperationId):
            return await super().execute(operation_id=operation_id, name=name, body=body, cache_key=cache_key,
                                         config=config)
        named = self._task(name, config)
        token = _OPERATION_BODY.set(body)
        try:
            return await named(name, quote(cache_key))
        finally:
            _OPERATION_BODY.reset(token)

    def _task(self, name: str, config: TaskConfig) -> Task[..., Any]:
        """The operation's task with these options, declared once per name and equal options."""
        declared = self._named.setdefault(name, [])
        for options, named in declared:
            if options == config:
                return named
        named = agent_operation.with_options(name=name, **(config or {}))
        declared.append((dict(config or {}), named))  # type: ignore[arg-type]  # a copy: TaskConfig is a dict
        return named


class KitDurability(PrefectDurability[None]):
    """pydantic-ai's PrefectDurability, on QuotedOperations."""

    def get_durable_operation_backend(self) -> DurableOperationBackend[TaskConfig]:
        prefect_backend = super().get_durable_operation_backend()
        assert isinstance(prefect_backend, PrefectOperationBackend)
        config = cast("PrefectOperationConfig", prefect_backend._config)  # what PrefectDurability built it with
        return QuotedOperations(config=config, event_sequence_key=prefect_backend._event_sequence_key)


def idempotency_key() -> str:
    """The running tool call's idempotency key (its cache key); outside a cached task there is none to give."""
    transaction = get_transaction()
    if transaction is None or not transaction.key:
        raise RuntimeError("idempotency_key() is only known inside an agent's tool call (a cached Prefect task)")
    return transaction.key


def idempotency_headers() -> dict[str, str]:
    """The `Idempotency-Key` header of the running tool call, for an HTTP tool."""
    return {IDEMPOTENCY_HEADER: idempotency_key()}
