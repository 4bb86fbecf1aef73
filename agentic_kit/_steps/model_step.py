"""A model step, declared once: its name, instructions, output type and policy; every guarantee comes with it.

    @model_step("classify", instructions=CLASSIFY, output=Classification)
    def classify(document: Document) -> dict[str, str]:
        return {"document": document.text}

    label = await classify(document)      # inside an item's scope (a @pipeline, or `with item_scope(...)`)

The decorated function only says what the model reads (the request's material, or a `Prompt` when the
instructions are a template). The kit makes it a Prefect task named after the step, with the LLM-call policy
(transient-only retries with jittered backoff, a timeout, a cache across runs keyed by the inputs as they shape
the answer, the function's source, the instructions' version and the model's identity), indexed in the cache index
and tagged as a model step for the metrics. Calling it runs `ask_model` (shared budget, rate-limit and
tokens-per-minute turn, circuit breaker, repair round, usage and cost, kept exchange, span) with the item scope's
model, once more on its fallback model when the model fails transiently for good, and counts the answer as made or
cached. The step's one name is the task's, the request's (usage, costs, exchanges), the scope's (dead letters) and
the metrics label.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec

from prefect import Task
from prefect.states import State
from prefect.utilities.annotations import quote

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import is_transient
from agentic_kit._domain.models.common import Instructions, ModelReply, ModelRequest, OutputT
from agentic_kit._steps.cache_index import indexed
from agentic_kit._steps.calls import ask_model, counting_repairs
from agentic_kit._steps.item_scope import ItemScope, current_scope, scope_or_none
from agentic_kit._steps.observe import record_cached_answers
from agentic_kit._steps.policies import LLM_CALL, TaskOptions, with_instructions
from agentic_kit._steps.rollout import ROUTE, count_attempt, count_call, output_schema_version, route

P = ParamSpec("P")
SUBJECT_DIGITS = 12
"""How much of an item id a task run's name shows."""


@dataclass
class Prompt:
    """What a step sends when its instructions are a template: the material, and the template's `{fields}`."""

    material: Mapping[str, str]
    fields: Mapping[str, str] = field(default_factory=dict)


def step_run_name(name: str) -> Callable[[], str]:
    """A task-run name `name[<item id>]` from the item's scope, for steps that name no template of their own."""

    def run_name() -> str:
        scope = scope_or_none()
        return f"{name}[{scope.item_id[:SUBJECT_DIGITS]}]" if scope and scope.item_id else name

    return run_name


def task_signature(function: Callable[..., Any], **injected: type[Any]) -> inspect.Signature:
    """The function's signature with the blocks the kit passes added as keyword-only parameters."""
    signature = inspect.signature(function)
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind) for name, kind in injected.items()]
    return signature.replace(parameters=[*signature.parameters.values(), *extra])


def quoted_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Arguments Prefect passes as they are: walking documents and blocks for futures costs more than the step."""
    return [quote(value) for value in args], {name: quote(value) for name, value in kwargs.items()}


async def counted_result(state: State[Any], scope: ItemScope, step: str) -> Any:
    """A model step's reply; the scope counts whether it came from cache (recorded in the store as such) or was
    computed in this run."""
    reply = await state.aresult()
    if state.name == "Cached":
        scope.cached_steps += 1
        record_cached_answers(scope.store, step, reply.model)
    elif state.is_completed():
        scope.model_calls += 1
    return reply


class ModelStep(Generic[P, OutputT]):
    """A model step: call it (inside an item's scope) with the declared function's arguments for its output."""

    def __init__(self, name: str, instructions: Instructions, output: type[OutputT], policy: TaskOptions,
                 material_of: Callable[P, Mapping[str, str] | Prompt], task_run_name: str | None) -> None:
        self.name, self.instructions, self.output_type = name, instructions, output
        self.output_schema = output_schema_version(output)
        self._policy, self._material_of, self._task_run_name = policy, material_of, task_run_name
        self._tasks: dict[str, Task[..., Coroutine[Any, Any, ModelReply[OutputT]]]] = {}
        self.task = self.task_for(instructions)

    def task_for(self, instructions: Instructions) -> Task[..., Coroutine[Any, Any, ModelReply[OutputT]]]:
        """The step's task sending these instructions (the declared ones, or a variant's): their version and the
        output schema's are in its cache key."""
        if (task := self._tasks.get(instructions.version)) is not None:
            return task
        material_of, output = self._material_of, self.output_type

        async def run(*args: Any, model: LanguageModel, store: PipelineStore, **kwargs: Any) -> ModelReply[OutputT]:
            scope = scope_or_none()
            item_id = scope.item_id if scope else None
            with counting_repairs() as repaired:
                try:
                    reply = await ask_model(item_id, model, store,
                                            self.request(material_of(*args, **kwargs), instructions), output)
                except Exception:
                    await count_attempt(ROUTE.get(), store, item_id, failed=True, repairs=repaired.rounds)
                    raise
            await count_attempt(ROUTE.get(), store, item_id, failed=False, repairs=repaired.rounds)
            return reply

        functools.update_wrapper(run, material_of)  # TASK_SOURCE reads the declared function's source
        run.__signature__ = task_signature(material_of, model=LanguageModel, store=PipelineStore)  # type: ignore[attr-defined]
        task = self._tasks[instructions.version] = indexed(Task(
            fn=run, name=self.name, task_run_name=self._task_run_name or step_run_name(self.name),
            **with_instructions(self._policy, instructions, self.output_schema)))
        return task

    def request(self, what: Mapping[str, str] | Prompt, instructions: Instructions | None = None) -> ModelRequest:
        """The request this step sends for the material (or prompt) its function returned."""
        prompt = what if isinstance(what, Prompt) else Prompt(material=what)
        return ModelRequest(step=self.name, instructions=(instructions or self.instructions).format(**prompt.fields),
                            material=dict(prompt.material))

    async def reply(self, *args: P.args, **kwargs: P.kwargs) -> ModelReply[OutputT]:
        """The whole reply (output, model, usage) of this step on these arguments, from cache when it ran before.

        The item runs the step's live variant, or a canary's candidate (agentic_kit._steps.rollout)."""
        scope = current_scope()
        scope.step = self.name
        variant = await route(self.name, self.output_schema, scope.store, scope.item_id)
        task = self.task_for(variant.instructions or self.instructions)
        model = await variant.model(scope.model)
        positional, named = quoted_arguments(args, kwargs)
        started = time.monotonic()
        routed = ROUTE.set(variant)
        try:
            state = await task(*positional, **named, model=quote(model), store=quote(scope.store), return_state=True)
            if state.is_failed() and scope.fallback and is_transient(await state.aresult(raise_on_failure=False)):
                state = await task(*positional, **named, model=quote(scope.fallback), store=quote(scope.store),
                                   return_state=True)
        finally:
            ROUTE.reset(routed)
        if variant.rollout_id:
            scope.canaries.add(variant.rollout_id)
            await count_call(variant, scope, state, time.monotonic() - started)
        reply: ModelReply[OutputT] = await counted_result(state, scope, self.name)
        scope.models[self.name] = reply.model
        return reply

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> OutputT:
        """This step's output on these arguments."""
        return (await self.reply(*args, **kwargs)).output


def model_step(name: str, *, instructions: Instructions | str, output: type[OutputT], policy: TaskOptions = LLM_CALL,
               task_run_name: str | None = None,
               ) -> Callable[[Callable[P, Mapping[str, str] | Prompt]], ModelStep[P, OutputT]]:
    """Declare a model step: the decorated function returns what the model reads; see the module docstring.

    `name` is the step's one name everywhere; `policy` defaults to LLM_CALL; `task_run_name` is a Prefect template
    over the function's parameters (default: `name[<item id>]`).
    """
    versioned = instructions if isinstance(instructions, Instructions) else Instructions(text=instructions)

    def declare(material_of: Callable[P, Mapping[str, str] | Prompt]) -> ModelStep[P, OutputT]:
        return ModelStep(name, versioned, output, policy, material_of, task_run_name)

    return declare
