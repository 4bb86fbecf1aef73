"""Which variant of a step an item runs, what that variant showed on it, and the rule that rolls a canary back.

Outside a canary every item runs the step's live variant (`declared` until a candidate is promoted). During one, a
stable hash of the canary and the item sends the canary's share of items to the candidate; the first call keeps the
item's variant in the store, so a retry, a resumed run or another worker keeps it too, and the variant's
instructions and model are in the step's cache key, so a resumed item reuses its own variant's answers. Each item's
calls add their figures (errors, repairs, tokens, cost, latency; the judge's score through `record_score`) and, as
items finish, the rollback rule (agentic_kit._domain.rollback_rule) compares candidate and live: when the candidate
is worse beyond chance, the canary ends at once (its share 0, items still in flight back on live) and
`agentic.rollout.rolled_back` lets an automation notify.

Workers read a step's live variant, canary and variants at most every ROUTING_TTL_SECONDS (the one that rolled back
at once), so outside a canary a step reads nothing from the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from prefect.events import emit_event
from prefect.states import State
from pydantic import BaseModel

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.rollout_records import (
    DECLARED,
    ROLLED_BACK,
    VariantFigures,
    add_to_item,
    assign_variant,
    end_canary,
    live_variant,
    note_output_schema,
    running_canary,
    running_canary_by_id,
    score_item,
    step_variant,
    variant_figures,
)
from agentic_kit._blocks.rollout_tables import RolloutRow, StepVariantRow
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.events import ROLLOUT_RESOURCE_PREFIX, ROLLOUT_ROLLED_BACK
from agentic_kit._domain.models.common import Instructions
from agentic_kit._domain.rollback_rule import RollbackRule, RollbackVerdict, VariantCounts
from agentic_kit._steps.item_scope import ItemScope, scope_or_none
from agentic_kit._steps.rollout_report import publish_status

logger = logging.getLogger(__name__)

ROUTING_TTL_SECONDS = 2.0
"""How stale a worker's view of a step's live variant and canary may be."""
ROLLBACK_RULE = RollbackRule()
"""The rule every canary is checked with as its items finish."""
SHARE_BUCKETS = 2 ** 32


@dataclass(frozen=True)
class Route:
    """The variant one call of a step runs: its name, its instructions and model when they differ from the step's,
    and the canary it counts in."""

    variant: str = DECLARED
    instructions: Instructions | None = None
    model_block: str | None = None
    settings: Mapping[str, Any] | None = None
    rollout_id: str | None = None

    async def model(self, pipeline_model: LanguageModel) -> LanguageModel:
        """The model this variant calls: its block (or the pipeline's model) with its settings."""
        model = await _saved_model(self.model_block) if self.model_block else pipeline_model
        return model.model_copy(update=dict(self.settings)) if self.settings else model


@dataclass
class _StepView:
    live: str
    canary: RolloutRow | None
    read_at: float
    variants: dict[str, StepVariantRow | None] = field(default_factory=dict)
    """The step's variants read so far, by name (read again with the view)."""


_views: dict[tuple[str, str], _StepView] = {}
_models: dict[str, LanguageModel] = {}
_forced: ContextVar[Mapping[str, str] | None] = ContextVar("agentic_forced_variants", default=None)
ROUTE: ContextVar[Route | None] = ContextVar("agentic_route", default=None)
"""The variant the step being called runs (its task's attempts count their failures against it)."""


@contextmanager
def forced_variants(variants: Mapping[str, str]) -> Iterator[None]:
    """Run these steps on these variants, whatever the live one and any canary (an evaluation does)."""
    token = _forced.set(variants)
    try:
        yield
    finally:
        _forced.reset(token)


def output_schema_version(output: type[BaseModel]) -> str:
    """The first hex digits of the SHA-256 of the output type's JSON schema: a changed schema is a new version."""
    schema = json.dumps(output.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode("utf-8")).hexdigest()[:12]


async def route(step: str, schema: str, store: PipelineStore, item_id: str | None) -> Route:
    """The variant this call of the step runs (see the module docstring)."""
    view = await _view(store, step)
    if forced := (_forced.get() or {}).get(step):
        return await _route_to(store, view, step, schema, forced, None)
    if view.canary is not None and item_id:
        canary = view.canary
        wanted = canary.candidate if in_share(canary.id, item_id, canary.share) else canary.live
        variant = await asyncio.to_thread(assign_variant, store, canary.id, item_id, wanted)
        return await _route_to(store, view, step, schema, variant, canary.id)
    return await _route_to(store, view, step, schema, view.live, None)


def in_share(rollout_id: str, item_id: str, share: float) -> bool:
    """Whether the item falls in the canary's share: a stable hash, the same in every process and run."""
    digest = hashlib.sha256(f"{rollout_id}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") < share * SHARE_BUCKETS


async def _view(store: PipelineStore, step: str) -> _StepView:
    key = (store.database_url.get_secret_value(), step)
    view = _views.get(key)
    if view is None or time.monotonic() - view.read_at > ROUTING_TTL_SECONDS:
        live, canary = await asyncio.to_thread(lambda: (live_variant(store, step), running_canary(store, step)))
        view = _views[key] = _StepView(live, canary, time.monotonic())
    return view


async def _route_to(store: PipelineStore, view: _StepView, step: str, schema: str, name: str,
                    rollout_id: str | None) -> Route:
    """The route to a named variant; a variant kept for another output schema is stale and runs as declared."""
    if name == DECLARED:
        return Route(rollout_id=rollout_id)
    if name not in view.variants:
        view.variants[name] = await asyncio.to_thread(step_variant, store, step, name)
    row = view.variants[name]
    if row is None:
        logger.warning("%s: variant %r is not kept in the store; the step runs as declared", step, name)
        return Route(rollout_id=rollout_id)
    if row.output_schema is None:
        await asyncio.to_thread(note_output_schema, store, step, name, schema)
        row.output_schema = schema
    elif row.output_schema != schema:
        logger.warning("%s: variant %r was made for output schema %s, the step's is now %s: a changed schema is a "
                       "new variant (agentic variants add); the step runs as declared", step, name,
                       row.output_schema, schema)
        return Route(rollout_id=rollout_id)
    return Route(variant=name, instructions=Instructions(text=row.instructions) if row.instructions else None,
                 model_block=row.model_block, settings=json.loads(row.settings) or None, rollout_id=rollout_id)


async def _saved_model(name: str) -> LanguageModel:
    if name not in _models:
        _models[name] = await LanguageModel.aload(name)
    return _models[name]


async def count_attempt(route: Route | None, store: PipelineStore, item_id: str | None, *, failed: bool,
                        repairs: int) -> None:
    """One attempt of the call ended (a failed one may still be retried): a failure and its repair rounds are
    counted against the item's variant."""
    if route and route.rollout_id and item_id and (failed or repairs):
        rollout_id = route.rollout_id
        await asyncio.to_thread(lambda: add_to_item(store, rollout_id, item_id, errors=int(failed), repairs=repairs))


async def count_call(route: Route, scope: ItemScope, state: State[Any], seconds: float) -> None:
    """The step finished on the scope's item (its final state): its figures join the variant's, and the canary's
    rule is checked."""
    rollout_id, item_id, store = route.rollout_id, scope.item_id, scope.store
    if not (rollout_id and item_id):
        return
    failed, made = state.is_failed(), state.is_completed() and state.name != "Cached"
    usage = (await state.aresult()).usage if made else None
    await asyncio.to_thread(lambda: add_to_item(
        store, rollout_id, item_id, calls=int(made),
        input_tokens=usage.input_tokens if usage else 0, output_tokens=usage.output_tokens if usage else 0,
        cost_usd=usage.cost_usd if usage else 0.0, latency_ms=seconds * 1000, failed=failed, finished=True))
    await check_canary(store, rollout_id)


async def record_score(score: float, passing: float = 0.5) -> None:
    """Give the judge's score of the current item's result to every canary it takes part in (a score under
    `passing` counts as low), and check those canaries' rule; nothing outside a canary."""
    scope = scope_or_none()
    if scope is None or not scope.item_id or not scope.canaries:
        return
    item_id, store = scope.item_id, scope.store
    for rollout_id in sorted(scope.canaries):
        await asyncio.to_thread(score_item, store, rollout_id, item_id, score, score < passing)
        await check_canary(store, rollout_id)


async def check_canary(store: PipelineStore, rollout_id: str) -> RollbackVerdict | None:
    """Roll the canary back when the rule finds its candidate worse than live; the verdict, if it did."""
    canary, figures = await asyncio.to_thread(
        lambda: (running_canary_by_id(store, rollout_id), variant_figures(store, rollout_id)))
    if canary is None:
        return None
    live, candidate = _counts(figures.get(canary.live)), _counts(figures.get(canary.candidate))
    verdict = ROLLBACK_RULE.verdict(live, candidate)
    if verdict is None:
        return None
    after_items = live.items + candidate.items
    if await asyncio.to_thread(end_canary, store, rollout_id, ROLLED_BACK, verdict.reason(), after_items):
        _forget(canary.step)
        _announce_rollback(canary, verdict, after_items)
        await publish_status(store, canary.step)
    return verdict


def _counts(figures: VariantFigures | None) -> VariantCounts:
    if figures is None:
        return VariantCounts()
    return VariantCounts(items=figures.items, errors=figures.errors, low_scores=figures.low_scores)


def _forget(step: str) -> None:
    """Read the step's state again at its next call (this process changed it)."""
    for key in [key for key in _views if key[1] == step]:
        del _views[key]


def _announce_rollback(canary: RolloutRow, verdict: RollbackVerdict, after_items: int) -> None:
    """Log the rollback and emit agentic.rollout.rolled_back; one that cannot be announced is only logged."""
    logger.warning("%s: candidate %r rolled back after %d items: %s", canary.step, canary.candidate, after_items,
                   verdict.reason())
    try:
        emit_event(event=ROLLOUT_ROLLED_BACK,
                   resource={"prefect.resource.id": f"{ROLLOUT_RESOURCE_PREFIX}{canary.step}",
                             "prefect.resource.name": f"{canary.step} rollout"},
                   payload={"step": canary.step, "candidate": canary.candidate, "live": canary.live,
                            "share": canary.share, "after_items": after_items, "metric": verdict.metric,
                            "reason": verdict.reason(), "rollout_id": canary.id})
    except Exception:  # the rollback stands; the event is the announcement only
        logger.warning("%s: rolled back, but its event could not be emitted", canary.step, exc_info=True)
