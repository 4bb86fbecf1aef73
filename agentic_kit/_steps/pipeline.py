"""A pipeline: a function that works on one item, made a Prefect flow over a batch of items with every guarantee.

    @pipeline("ticket-triage", item=Ticket, noun="tickets", done="triaged")
    async def ticket_triage(ticket: Ticket, blocks: PipelineBlocks) -> Triage:
        facts = await extract_ticket(ticket)
        ...

    ticket_triage.flow            # the Prefect flow (deploy it; its parameters are typed in the UI)
    await ticket_triage.run([...])  # run it once; the report says what happened to each item

Each item is its own unit, in its own item scope (the steps find the model, fallback and store there): one bad item
never fails the batch. A failed item becomes a dead letter keyed by pipeline, item and step that keeps the item
itself, and names this pipeline's replay flow, so `agentic dead-letters replay` sends it through this pipeline
again and marks it replayed only once this pipeline processed it. Usage and costs are recorded per pipeline (the
flow's name); where each item stands is in the store's `pipeline_items` table (the metrics count it by pipeline); the
run's report is its result and an artifact. A run fails when any item failed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

from prefect import flow, runtime
from prefect.artifacts import acreate_markdown_artifact
from prefect.states import Completed, Failed, State
from prefect.utilities.urls import url_for
from pydantic import BaseModel, Field, ValidationError

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.resolve import PipelineBlocks
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.tables import PipelineItemRow
from agentic_kit._domain.models.common import content_id
from agentic_kit._domain.redaction import redacted_text
from agentic_kit._steps.item_scope import at_step, item_scope
from agentic_kit._steps.observe import observed_run

ItemT = TypeVar("ItemT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=BaseModel)
DEFAULT_MAX_CONCURRENT_ITEMS = 16
PROCESSED, FAILED = "processed", "failed"


class ItemOutcome(BaseModel):
    """What became of one item: processed with its result, or failed at a step with an error."""

    item_id: str
    status: str
    step: str | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    model_calls: int = 0
    cached_steps: int = 0


class PipelineRunReport(BaseModel):
    """One run of a pipeline over its items."""

    pipeline: str
    noun: str = "items"
    done: str = PROCESSED
    outcomes: list[ItemOutcome] = Field(default_factory=list)
    flow_run_url: str | None = None

    def count(self, status: str) -> int:
        """How many items ended with this status."""
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def model_calls(self) -> int:
        """Model calls made in this run (not answered from cache)."""
        return sum(outcome.model_calls for outcome in self.outcomes)

    def headline(self) -> str:
        """`N tickets: N triaged, 0 failed; M model calls made`."""
        return (f"{len(self.outcomes)} {self.noun}: {self.count(PROCESSED)} {self.done}, {self.count(FAILED)} failed; "
                f"{self.model_calls} model calls made")

    def markdown(self) -> str:
        """The report as a markdown table, for the run's artifact."""
        rows = [f"| {o.item_id[:12]} | {o.status} | {o.step or ''} | {(o.error or '')[:120]} |" for o in self.outcomes]
        return "\n".join([f"# {self.pipeline}", "", self.headline(), "", "| item | status | step | error |",
                          "| --- | --- | --- | --- |", *rows])


def importable_name(module: str) -> str:
    """The name a module is imported by: a pipeline run as `python -m flows.x` is `__main__` to itself."""
    if module == "__main__":
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        if spec is not None:
            return str(spec.name)
    return module


class Pipeline(Generic[ItemT, ResultT]):
    """A pipeline over items of one type; `flow` runs a batch, `replay` runs its dead letters again."""

    def __init__(self, name: str, item: type[ItemT], process: Callable[[ItemT, PipelineBlocks], Awaitable[ResultT]],
                 noun: str, done: str, description: str | None) -> None:
        self.name, self.item_type, self.process, self.noun, self.done = name, item, process, noun, done
        self.entrypoint = f"{importable_name(process.__module__)}:{process.__name__}"
        """Where this pipeline is found ("module:attribute"), from the project's folder: dead letters keep it."""
        self.flow = flow(name=name, description=description or process.__doc__, persist_result=True,
                         validate_parameters=True)(self._run_flow)
        self.replay = flow(name=f"{name}-replay", description=f"Run open dead letters of {name} through it again.")(
            self._replay_flow)

    async def run(self, items: list[ItemT], **blocks: str | None) -> PipelineRunReport:
        """Run the pipeline's flow on these items (block names as for the flow) and return its report."""
        state = await self.flow([item.model_dump(mode="json") for item in items], return_state=True, **blocks)
        report = await state.aresult(raise_on_failure=False)
        if not isinstance(report, PipelineRunReport):  # the run crashed or failed early: no caller's type error
            raise RuntimeError(f"{self.name} ended {state.name} without a report: {state.message}")  # noqa: TRY004
        return report

    async def _one(self, raw: dict[str, Any], blocks: PipelineBlocks) -> ItemOutcome:
        """Validate and process one item in its own scope; a failure (an invalid item at step `validate`) is recorded
        as a dead letter, never raised."""
        try:
            item: ItemT | None = self.item_type.model_validate(raw)
        except ValidationError:
            item = None
        payload = item.model_dump_json() if item is not None else json.dumps(raw, sort_keys=True, default=str)
        item_id = content_id(payload)
        with item_scope(item_id, blocks.model, blocks.store, blocks.fallback) as scope:
            try:
                with at_step("validate"):
                    item = self.item_type.model_validate(raw)
                result = await self.process(item, blocks)
                outcome = ItemOutcome(item_id=item_id, status=PROCESSED, result=result.model_dump(mode="json"))
            except Exception as exc:  # noqa: BLE001 - one item's failure must not fail the batch
                step = scope.step or "process"
                outcome = ItemOutcome(item_id=item_id, status=FAILED, step=step,
                                      error=redacted_text(f"{type(exc).__name__}: {exc}"))
                await asyncio.to_thread(DeadLetters(blocks.store).record_item, pipeline=self.name, item_id=item_id,
                                        source=f"{self.name}:{item_id[:12]}", step=step,
                                        error_type=type(exc).__name__, error_message=outcome.error or "",
                                        flow_run_id=str(runtime.flow_run.id), item_payload=payload,
                                        replay_entrypoint=f"{self.entrypoint}.replay",
                                        raw_output=getattr(exc, "raw", None))
            outcome.model_calls, outcome.cached_steps = scope.model_calls, scope.cached_steps
        await asyncio.to_thread(blocks.store.save_item, PipelineItemRow(
            pipeline=self.name, item_id=item_id, status=outcome.status, step=outcome.step, error=outcome.error,
            result=json.dumps(outcome.result) if outcome.result is not None else None,
            flow_run_id=str(runtime.flow_run.id), updated_at=utc_now()))
        return outcome

    async def _run_flow(self, items: list[dict[str, Any]], language_model: str | None = None,
                        enrichment_api: str | None = None, store: str | None = None,
                        max_concurrent_items: int = DEFAULT_MAX_CONCURRENT_ITEMS) -> State[PipelineRunReport]:
        """Process every item, each on its own; the run fails when any item failed. Block parameters name saved
        blocks; left empty, each comes from the environment."""
        with observed_run(self.name):
            blocks = await PipelineBlocks.resolve(language_model, enrichment_api, store)
            limit = asyncio.Semaphore(max_concurrent_items)

            async def limited(item: dict[str, Any]) -> ItemOutcome:
                async with limit:
                    return await self._one(item, blocks)

            outcomes = list(await asyncio.gather(*(limited(item) for item in items)))
            await asyncio.to_thread(DeadLetters(blocks.store).settle_items, self.name,
                                    [o.item_id for o in outcomes if o.status == PROCESSED])
            report = PipelineRunReport(pipeline=self.name, noun=self.noun, done=self.done, outcomes=outcomes,
                                       flow_run_url=url_for("flow-run", obj_id=runtime.flow_run.id))
            await acreate_markdown_artifact(key=f"{self.name}-report", markdown=report.markdown())
            if report.count(FAILED):
                return Failed(message=report.headline(), data=report)
            return Completed(message=report.headline(), data=report)

    async def _replay_flow(self, ids: list[int], language_model: str | None = None, enrichment_api: str | None = None,
                           store: str | None = None) -> State[PipelineRunReport]:
        """Run these open dead letters' items through the pipeline; processed ones are marked replayed."""
        blocks = await PipelineBlocks.resolve(language_model, enrichment_api, store)
        letters = await asyncio.to_thread(DeadLetters(blocks.store).open_items, self.name, ids)
        items = [json.loads(row.item_payload) for row in letters if row.item_payload]
        state = await self.flow(items, language_model=language_model, enrichment_api=enrichment_api, store=store,
                                return_state=True)
        # the flow returns its final State, which Prefect makes the run's own; its typing nests it (State[State[…]])
        return cast("State[PipelineRunReport]", state)


def pipeline(name: str, *, item: type[ItemT], noun: str = "items", done: str = PROCESSED,
             description: str | None = None,
             ) -> Callable[[Callable[[ItemT, PipelineBlocks], Awaitable[ResultT]]], Pipeline[ItemT, ResultT]]:
    """Declare a pipeline over items of type `item` (a pydantic model): see the module docstring. `noun` and
    `done` word its report's headline."""

    def declare(process: Callable[[ItemT, PipelineBlocks], Awaitable[ResultT]]) -> Pipeline[ItemT, ResultT]:
        return Pipeline(name, item, process, noun, done, description)

    return declare
