"""The budget every run and worker of a pipeline shares: a model call reserves its estimate before it starts and
settles what it used after; at the limit the call does not start.

A call draws its estimate from a lease its process holds (`agentic_kit/_blocks/budget_leases.py`): room for several
calls reserved in one statement, so most calls cost the ledger no statement before they start, and their settlements
are batched by the process's record writer. A failed call gives its estimate back to the lease in memory; a process's
flow run gives its leases' unused room back when it ends (`give_back_unused_room`).

The pipeline is the flow the call runs in (a replay's document pipeline is the document pipeline), and its budget
is the Model Budget block of that name (`agentic_kit/_blocks/model_budget.py`); with none, nothing is counted and a call costs
no SQL. The estimate is the prompt's tokens as the model's block counts them plus its whole output allowance,
priced at the block's prices, so the budget holds unless the provider counts far more tokens than the tokenizer.
The first refusal of a period emits `agentic.budget.exhausted`; BudgetExhausted is permanent, so it is never
retried, and a document it stops becomes a dead letter of type `budget` that a replay takes once the period
rolled over. Work that the budget's rest cannot pay for (a long document's estimate) is refused before its first
call, by `ensure_budget_covers`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from prefect.context import FlowRunContext
from prefect.events import emit_event
from pydantic import SecretStr

from agentic_kit._blocks.budget_leases import LEASE_SECONDS, Lease, LeaseChange, apply_lease_changes, take_lease
from agentic_kit._blocks.budget_ledger import budget_status, record_refusal, usd
from agentic_kit._blocks.budget_tables import BudgetPeriodRow
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.model_budget import ModelBudget, budget_for
from agentic_kit._blocks.sql import as_utc, utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import BudgetExhausted
from agentic_kit._domain.events import BUDGET_EXHAUSTED, BUDGET_RESOURCE_PREFIX
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._steps.record_writer import RECORDS, RecordKind

logger = logging.getLogger(__name__)


@dataclass
class Charge:
    """What the call tells its budget once it has answered: the usage to settle at."""

    usage: TokenUsage | None = None


def current_pipeline() -> str | None:
    """The flow this call runs in, whose budget it spends; None outside any flow."""
    context = FlowRunContext.get()
    return context.flow.name if context is not None and context.flow is not None else None


@asynccontextmanager
async def within_shared_budget(model: LanguageModel, store: PipelineStore, step: str,
                               prompt_tokens: int) -> AsyncIterator[Charge]:
    """Reserve the call's estimate in its pipeline's budget (BudgetExhausted if it does not fit), let the call run,
    then settle at what it used (`charge.usage`); a call that fails gives its reservation back."""
    charge = Charge()
    pipeline = current_pipeline()
    budget = await budget_for(pipeline) if pipeline else None
    if pipeline is None or budget is None:
        yield charge
        return
    tokens = prompt_tokens + model.max_output_tokens
    cost_usd = model.cost_usd(prompt_tokens, model.max_output_tokens)
    period_start, resets_at = budget.period_bounds(utc_now())
    lease = await PROCESS_LEASES.draw(store, budget, pipeline, period_start, tokens, cost_usd)
    if lease is None:
        await _refuse(store, budget, pipeline, period_start, resets_at, lambda row: (
            f"{step}: the {pipeline} budget of {budget.limits_label()} is spent until {resets_at:%Y-%m-%d %H:%M} UTC: "
            f"the next call (up to {tokens:,} tokens, ${cost_usd:.4f}) would pass it (spent ${usd(row.spent_usd):.4f} "
            f"and {row.spent_tokens:,} tokens, reserved ${usd(row.reserved_usd):.4f} and {row.reserved_tokens:,} "
            "tokens)"))
    try:
        yield charge
    except BaseException:
        PROCESS_LEASES.give_back(store, lease, tokens, cost_usd)  # in memory: it must happen even when cancelled
        raise
    used = charge.usage or TokenUsage()
    RECORDS.add(store, SETTLEMENTS, LeaseChange(lease, tokens, cost_usd, used.input_tokens + used.output_tokens,
                                                used.cost_usd, calls=1))


SETTLEMENTS: RecordKind[LeaseChange] = RecordKind("budget settlements", apply_lease_changes)
"""A call's settlement is queued: the usage row written durably after it (agentic_kit/_steps/calls.py) commits it in
the same transaction, and a process killed before leaves the estimate reserved in its lease until the lease expires,
never more spent than allowed."""


@dataclass
class _HeldLease:
    """A lease this process draws from: the room its calls have not drawn, and when to stop drawing from it."""

    lease: Lease
    unused_tokens: int
    unused_usd: float
    draw_until: float
    """time.monotonic() after which a new lease is taken, long before this one could expire unsettled."""


class LeaseBook:
    """The leases this process draws its calls' estimates from: one per store, pipeline and period."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str, datetime], _HeldLease] = {}
        self._lock = threading.Lock()
        self._taking = threading.Lock()

    async def draw(self, store: PipelineStore, budget: ModelBudget, pipeline: str, period_start: datetime,
                   tokens: int, cost_usd: float) -> Lease | None:
        """The lease holding this call's estimate, from room already held or from a new lease; None when the budget
        has no room for it."""
        key = (store.database_url.get_secret_value(), pipeline, period_start)
        lease = self._draw_held(key, tokens, cost_usd)
        if lease is None:
            lease = await asyncio.to_thread(self._take, key, store, budget, tokens, cost_usd)
        return lease

    def give_back(self, store: PipelineStore, lease: Lease, tokens: int, cost_usd: float) -> None:
        """Return a failed call's estimate: to the lease's unused room while it is drawn from, else to the ledger."""
        with self._lock:
            held = self._held.get((store.database_url.get_secret_value(), lease.pipeline, lease.period_start))
            if held is not None and held.lease is lease:
                held.unused_tokens += tokens
                held.unused_usd += cost_usd
                return
        RECORDS.add(store, SETTLEMENTS, LeaseChange(lease, tokens, cost_usd))

    def give_back_unused_room(self) -> None:
        """Queue every held lease's unused room back to its ledger, and draw from new leases from now on."""
        with self._lock:
            held, self._held = self._held, {}
        for (url, _, _), lease in held.items():
            RECORDS.add(PipelineStore(database_url=SecretStr(url)), SETTLEMENTS, _unused_room(lease))

    def _draw_held(self, key: tuple[str, str, datetime], tokens: int, cost_usd: float) -> Lease | None:
        with self._lock:
            held = self._held.get(key)
            if (held is None or held.unused_tokens < tokens or held.unused_usd < cost_usd - USD_TOLERANCE
                    or time.monotonic() > held.draw_until):
                return None
            held.unused_tokens -= tokens
            held.unused_usd -= cost_usd
            return held.lease

    def _take(self, key: tuple[str, str, datetime], store: PipelineStore, budget: ModelBudget, tokens: int,
              cost_usd: float) -> Lease | None:
        """Take a new lease for this call (one thread at a time), giving back the unused room of the one it
        replaces in the same transaction; another thread may have taken one meanwhile."""
        with self._taking:
            lease = self._draw_held(key, tokens, cost_usd)
            if lease is not None:
                return lease
            with self._lock:
                replaced = self._held.pop(key, None)
            lease = take_lease(store, budget, key[1], key[2], tokens, cost_usd,
                               giving_back=_unused_room(replaced) if replaced is not None else None)
            if lease is not None:
                with self._lock:
                    self._held[key] = _HeldLease(lease, lease.tokens - tokens, lease.cost_usd - cost_usd,
                                                 time.monotonic() + LEASE_DRAW_SECONDS)
            return lease


def _unused_room(held: _HeldLease) -> LeaseChange:
    return LeaseChange(held.lease, max(0, held.unused_tokens), max(0.0, held.unused_usd))


USD_TOLERANCE = 1e-12
"""Float sums of estimates drawn from a lease may miss its room by this much."""
LEASE_DRAW_SECONDS = LEASE_SECONDS / 4
PROCESS_LEASES = LeaseBook()
"""The process's leases."""


async def _refuse(store: PipelineStore, budget: ModelBudget, pipeline: str, period_start: datetime,
                  resets_at: datetime, describe: Callable[[BudgetPeriodRow], str]) -> NoReturn:
    """Count the refusal, announce the period's first, and raise BudgetExhausted with what `describe` says of the
    period after it."""
    first, row = await asyncio.to_thread(record_refusal, store, pipeline, period_start)
    message = describe(row)
    if first:
        _announce(budget, row, resets_at, message)
    raise BudgetExhausted(message)


def _announce(budget: ModelBudget, row: BudgetPeriodRow, resets_at: datetime, message: str) -> None:
    """Emit agentic.budget.exhausted; a refusal that cannot be announced is only logged."""
    try:
        emit_event(
            event=BUDGET_EXHAUSTED,
            resource={"prefect.resource.id": f"{BUDGET_RESOURCE_PREFIX}{row.pipeline}",
                      "prefect.resource.name": f"{row.pipeline} budget"},
            payload={"pipeline": row.pipeline, "period": budget.period,
                     "period_start": row.period_start.isoformat(), "resets_at": resets_at.isoformat(),
                     "max_usd": budget.max_usd, "max_tokens": budget.max_tokens, "spent_usd": usd(row.spent_usd),
                     "spent_tokens": row.spent_tokens, "reserved_usd": usd(row.reserved_usd),
                     "reserved_tokens": row.reserved_tokens, "message": message},
        )
    except Exception:  # the refusal stands; the event is the announcement only
        logger.warning("the %s budget is exhausted, but its event could not be emitted", row.pipeline, exc_info=True)


async def ensure_budget_covers(model: LanguageModel, store: PipelineStore, what: str, calls: int, tokens: int) -> None:
    """Refuse work its pipeline's budget cannot pay for before its first call: BudgetExhausted (a dead letter of type
    budget, counted and announced as a refused call is) when the budget has fewer tokens left than `tokens`, what
    the work's `calls` model calls send at least, or fewer USD than those tokens cost at the model's input price;
    nothing without a budget. Nothing is reserved: each call still reserves its own estimate when it starts."""
    pipeline = current_pipeline()
    budget = await budget_for(pipeline) if pipeline else None
    if pipeline is None or budget is None:
        return
    status = await asyncio.to_thread(budget_status, store, pipeline, budget, utc_now())
    cost_usd = model.cost_usd(tokens, 0)
    if ((status.left_tokens is None or status.left_tokens >= tokens)
            and (status.left_usd is None or status.left_usd >= cost_usd)):
        return
    left = [f"${status.left_usd:.4f}" if status.left_usd is not None else "",
            f"{status.left_tokens:,} tokens" if status.left_tokens is not None else ""]
    await _refuse(store, budget, pipeline, status.period_start, status.resets_at, lambda _row: (
        f"{what} takes at least {calls:,} model calls sending {tokens:,} tokens (${cost_usd:.4f}); the {pipeline} "
        f"budget of {budget.limits_label()} has {' and '.join(item for item in left if item)} left until "
        f"{status.resets_at:%Y-%m-%d %H:%M} UTC"))


async def budget_reset_since(pipeline: str, moment: datetime) -> bool:
    """Whether the pipeline's budget started a new period after moment (or it has no budget any more)."""
    budget = await budget_for(pipeline)
    return budget is None or budget.period_bounds(utc_now())[0] > as_utc(moment)
