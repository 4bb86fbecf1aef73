"""Named task policies: how each kind of step retries, times out, caches and persists.

Every agent or tool task takes its policy from here, so a reader finds the whole retry and cache
behaviour of the project in one file. Their figures are `agentic_kit._domain.settings.Settings` fields and can be
overridden with `AGENTIC_*` environment variables (tests use that to shorten backoff).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from prefect import Task
from prefect.cache_policies import NO_CACHE, RUN_ID, CachePolicy, CompoundCachePolicy, TaskSource
from prefect.client.schemas.objects import TaskRun
from prefect.exceptions import HashError
from prefect.locking.protocol import LockManager
from prefect.serializers import prefect_json_object_encoder
from prefect.states import State
from prefect.utilities.hashing import hash_objects, stable_hash

from agentic_kit._domain.errors import is_transient
from agentic_kit._domain.models.common import Instructions
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.step_locks import lock_manager_for


class TaskOptions(TypedDict, total=False):
    """The task options a policy sets (keyword arguments of `@task`)."""

    retries: int
    retry_delay_seconds: float | list[float]
    retry_jitter_factor: float
    retry_condition_fn: Callable[[Task[..., Any], TaskRun, State[Any]], bool]
    timeout_seconds: float
    cache_policy: CachePolicy
    persist_result: bool
    tags: list[str]


RESULT_FORMAT_VERSION = "3"
"""3: models moved into the kit (agentic_kit._domain.models; version 2 pickled them from domain.models, version 1
from tasks.models)."""



def capped_exponential_backoff(retries: int, base: float, cap: float) -> list[float]:
    """Delays base, 2·base, 4·base … for each retry, none above cap."""
    return [min(cap, base * 2**attempt) for attempt in range(retries)]


def retry_only_transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry on 429, 5xx, timeouts, connection errors and unparsable model output; never on the rest."""
    return isinstance(state.data, BaseException) and is_transient(state.data)


def answer_shaping(value: Any) -> Any:
    """What of an input shapes a step's answer, recognised by type: nothing of a value whose class says
    `shapes_answers = False` (the store, a budget: they only say where things are written or counted), a block's
    `cache_identity()` (a model's name and endpoint, not its prices or limits), else the value itself."""
    if getattr(type(value), "shapes_answers", True) is False:
        return None
    identity = getattr(value, "cache_identity", None)
    return identity() if callable(identity) else value


def hash_of(*objects: Any) -> str:
    """`hash_objects(*objects, raise_on_failure=True)`, the same digest, without the serializer it builds and the
    modules it looks up on every call (most of the cost of hashing a step's inputs). The bytes hashed are the ones
    Prefect's JSONSerializer writes (stdlib json, sorted keys, Prefect's object encoder); anything JSON cannot
    write goes to hash_objects itself, which pickles it."""
    try:
        return stable_hash(json.dumps((objects, {}), sort_keys=True, default=prefect_json_object_encoder).encode())
    except Exception:  # noqa: BLE001 - hash_objects decides: cloudpickle, else HashError
        return cast("str", hash_objects(*objects, raise_on_failure=True))  # a digest, or it raises


@dataclass
class StepSource(TaskSource):
    """TASK_SOURCE, the same key, hashed once per source text instead of at every task run (a task's source is
    read once, when it is declared)."""

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any] | None, flow_parameters: dict[str, Any] | None,
                    **kwargs: Any) -> str | None:
        """The hash of the task's source."""
        source = getattr(task_ctx.task, "source_code", None) if task_ctx else None
        if not isinstance(source, str):
            return super().compute_key(task_ctx, inputs, flow_parameters, **kwargs)
        return _source_key(source)


@functools.lru_cache(maxsize=1024)
def _source_key(source: str) -> str:
    return hash_of(source)


STEP_SOURCE = StepSource()


@dataclass
class StepInputs(CachePolicy):
    """The step's inputs as they shape its answer (see `answer_shaping`), whatever the parameters are called: editing
    a price or renaming the store's block never re-pays for a call."""

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any],
                    **kwargs: Any) -> str | None:
        """A hash of every input's answer-shaping part."""
        if not inputs:
            return None
        shaped = {name: answer_shaping(value) for name, value in inputs.items()}
        try:
            return hash_of(shaped)
        except HashError as exc:
            raise ValueError(f"{exc}: a step input that cannot be hashed must say `shapes_answers = False` on its "
                             "class, or give a `cache_identity()`") from exc


@dataclass
class ResultFormat(CachePolicy):
    """The layout of persisted results: results pickle our model classes by their module path, so moving a class
    bumps this version and every step runs once more instead of failing to read an old result."""

    version: str = RESULT_FORMAT_VERSION

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any],
                    **kwargs: Any) -> str | None:
        """The version itself."""
        return self.version


@dataclass
class InstructionsVersion(CachePolicy):
    """The version of the instructions a step sends. The task's source (TASK_SOURCE) does not contain them, since
    they are module constants the task only names, so without this part editing a prompt would keep serving the
    answers of the old one."""

    instructions: Instructions | None = None
    output_schema: str | None = None
    """The version of the step's output schema, when the step declares one: a changed schema is a new answer."""

    def compute_key(self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any],
                    **kwargs: Any) -> str | None:
        """The version, read when the key is computed (with the output schema's, when set)."""
        if self.instructions is None:
            return None
        return f"{self.instructions.version}:{self.output_schema}" if self.output_schema else self.instructions.version


POLICY = Settings()
"""The figures in force in this process."""


STEP_LOCKS = lock_manager_for(POLICY.lock_url, POLICY.lock_lease_seconds)
"""The lock manager workers share (None when AGENTIC_LOCK_URL is `none`)."""


def resumable_cache(lock_manager: LockManager | None = STEP_LOCKS, inputs: CachePolicy | None = None) -> CachePolicy:
    """Inputs plus task source (STEP_SOURCE, TASK_SOURCE's key), never the run id: a new run after a crash reuses
    finished calls.

    The result format's version is part of the key (see ResultFormat); an agent's instructions version joins it
    through `with_instructions`. Inputs count by what shapes the answer, recognised by type (StepInputs): the store
    never, a model or an API by its cache identity. With a lock manager the key is
    SERIALIZABLE: when two workers reach the same step, one computes it and the other reads its result. An agent's
    turns and tool calls key their inputs their own way (`inputs`).
    """
    policy = (inputs or StepInputs()) + STEP_SOURCE + ResultFormat()
    if lock_manager is None:
        return policy
    return policy.configure(lock_manager=lock_manager, isolation_level="SERIALIZABLE")


RESUMABLE_CACHE = resumable_cache()


def _retrying(retries: int, timeout: float, settings: Settings) -> TaskOptions:
    """The shared shape of every policy that calls something outside the process."""
    return {
        "retries": retries,
        "retry_delay_seconds": capped_exponential_backoff(
            retries, settings.backoff_base_seconds, settings.backoff_cap_seconds
        ),
        "retry_jitter_factor": settings.backoff_jitter,
        "retry_condition_fn": retry_only_transient,
        "timeout_seconds": timeout,
        "cache_policy": RESUMABLE_CACHE,
        "persist_result": True,
    }


def with_instructions(options: TaskOptions, instructions: Instructions, output_schema: str | None = None) -> TaskOptions:
    """A cached step's options for an agent with these instructions: their version (and its output schema's) joins
    its cache key."""
    return {**options, "cache_policy": options["cache_policy"] + InstructionsVersion(instructions=instructions,
                                                                                     output_schema=output_schema)}


def instructions_of(policy: CachePolicy | None) -> Instructions | None:
    """The instructions whose version is part of a cache policy, if any."""
    parts = policy.policies if isinstance(policy, CompoundCachePolicy) else [policy]
    return next((part.instructions for part in parts if isinstance(part, InstructionsVersion)), None)


def llm_call_policy(settings: Settings = POLICY) -> TaskOptions:
    """Task options for a model call: transient-only retries with capped jittered backoff, timeout, resumable cache.

    The call itself is timed by `call_timeout` (llm_timeout_seconds) inside the task.
    """
    return _retrying(settings.llm_retries, settings.llm_task_timeout_seconds, settings)


def tool_call_policy(settings: Settings = POLICY) -> TaskOptions:
    """Task options for an HTTP tool call: the model-call shape with the tool's own figures."""
    return _retrying(settings.tool_retries, settings.tool_task_timeout_seconds, settings)


PUBLISH_RETRIES = 2
PUBLISH_RETRY_DELAY_SECONDS = 1.0


def publish_policy() -> TaskOptions:
    """Task options for a write: never cached (it must happen), retried freely since every write is idempotent."""
    return {
        "cache_policy": NO_CACHE,
        "persist_result": False,
        "retries": PUBLISH_RETRIES,
        "retry_delay_seconds": PUBLISH_RETRY_DELAY_SECONDS,
    }


LLM_CALL = llm_call_policy()
TOOL_CALL = tool_call_policy()
PUBLISH = publish_policy()
PUBLISH_SAGA: TaskOptions = {**PUBLISH, "retries": 0}
"""A document's publish saga: not retried by Prefect, because a failed attempt must be undone from the compensation
log before the next; the saga retries itself as a whole, PUBLISH_RETRIES times."""
FETCH_FOR_THIS_RUN: TaskOptions = {**TOOL_CALL, "cache_policy": RESUMABLE_CACHE + RUN_ID}
"""A fetch of a document by URL: a page changes, so its body is reused only within the run that read it (a
retry from the UI), and a new run reads it again; the same bytes are the same document, whose steps are cached."""
LOCAL_READ: TaskOptions = {"cache_policy": NO_CACHE, "persist_result": False}
"""A step that reads local state (files, the store): never cached, nothing persisted, so it always reads what is
there now."""
HEALTH_CHECK_TIMEOUT_SECONDS = 10.0
"""The client timeout of one health check's call."""
HEALTH_CHECK: TaskOptions = {"cache_policy": NO_CACHE, "timeout_seconds": HEALTH_CHECK_TIMEOUT_SECONDS * 2}
"""Checks are never cached and never retried: they report what is true right now."""
