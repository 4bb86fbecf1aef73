"""Budget leases: a process reserves room for several calls of its pipeline's budget in one statement, and its calls
draw their estimates from that room in memory, so a call costs the ledger no statement of its own before it starts.

A lease is a row of `model_budget_leases` whose room is part of its period's reserved figures, so the period's check
(spent + reserved ≤ limit, `reserve_room`) holds for leased room exactly as it did for one call's estimate: the
budget is never overspent by more than what calls use beyond their estimates. A lease holds room for at most
LEASE_CALLS calls and LEASE_SHARE of a limit; where even that is more than is left, it holds the one call, as a
reservation did before leases. Room comes back when the lease's calls settle (their estimates out, their usage in),
when its process is done with it (the unused room), or, for a process killed with room left, once the lease has gone
LEASE_SECONDS without a settled call: the next lease any process takes in that period gives it back first. A call
settling against a lease that was given back that way takes nothing off reserved figures that no longer hold it.

Every transaction here locks the leases it changes before their period's row, so a settlement and a new lease
never wait on each other.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import delete, insert, update
from sqlmodel import Session

from agentic_kit._blocks.budget_ledger import PERIODS, reserve_room
from agentic_kit._blocks.budget_tables import BudgetLeaseRow
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore

LEASES = BudgetLeaseRow.__table__  # type: ignore[attr-defined]
LEASE_CALLS = 8
"""The most calls one lease holds room for."""
LEASE_SHARE = 0.05
"""The most of a budget's limit one lease holds (but always room for the call that takes it)."""
LEASE_SECONDS = 600.0
"""How long a lease outlives its last settled call: longer than any call waits for its turn and its answer."""


@dataclass(frozen=True)
class Lease:
    """Room reserved at once in one period of a pipeline's budget, for this process's calls to draw from."""

    lease_id: str
    pipeline: str
    period_start: datetime
    tokens: int
    cost_usd: float


@dataclass(frozen=True)
class LeaseChange:
    """What comes off a lease (estimates settled or room given back) and what its settled calls used."""

    lease: Lease
    returned_tokens: int
    returned_usd: float
    used_tokens: int = 0
    used_usd: float = 0.0
    calls: int = 0


def lease_calls(budget: ModelBudget, tokens: int, cost_usd: float) -> int:
    """How many calls of this estimate one lease holds room for: LEASE_CALLS, fewer where that passes LEASE_SHARE of
    a limit, at least one."""
    calls = LEASE_CALLS
    if budget.max_usd is not None and cost_usd > 0:
        calls = min(calls, math.floor(budget.max_usd * LEASE_SHARE / cost_usd))
    if budget.max_tokens is not None and tokens > 0:
        calls = min(calls, math.floor(budget.max_tokens * LEASE_SHARE / tokens))
    return max(1, calls)


def take_lease(store: PipelineStore, budget: ModelBudget, pipeline: str, period_start: datetime, tokens: int,
               cost_usd: float, giving_back: LeaseChange | None = None) -> Lease | None:
    """In one transaction: give back the unused room of the lease this one replaces and the period's expired leases,
    then reserve a lease of `lease_calls` calls of this estimate, or of the one call when that is all that fits; None
    (nothing reserved) when not even the call fits."""
    now = utc_now()
    with Session(store.engine()) as session, session.begin():
        if giving_back is not None:
            apply_lease_changes(session, [giving_back])
        _give_back_expired(session, pipeline, period_start, now)
        for calls in sorted({lease_calls(budget, tokens, cost_usd), 1}, reverse=True):
            if reserve_room(session.connection(), budget, pipeline, period_start, calls * tokens, calls * cost_usd):
                lease = Lease(str(uuid4()), pipeline, period_start, calls * tokens, calls * cost_usd)
                session.execute(insert(LEASES).values(
                    lease_id=lease.lease_id, pipeline=pipeline, period_start=period_start,
                    reserved_usd=lease.cost_usd, reserved_tokens=lease.tokens,
                    expires_at=now + timedelta(seconds=LEASE_SECONDS)))
                return lease
    return None


def apply_lease_changes(session: Session, changes: Iterable[LeaseChange]) -> None:
    """Take settled and returned room off each lease (renewing it) and off its period, unless the lease expired and
    was given back already; add what the calls used to the period. One statement per lease and per period."""
    by_lease: dict[Lease, list[LeaseChange]] = defaultdict(list)
    for change in changes:
        by_lease[change.lease].append(change)
    now = utc_now()
    periods: dict[tuple[str, datetime], _PeriodChange] = defaultdict(_PeriodChange)
    for lease in sorted(by_lease, key=lambda lease: lease.lease_id):
        returned_usd = sum(change.returned_usd for change in by_lease[lease])
        returned_tokens = sum(change.returned_tokens for change in by_lease[lease])
        held = session.execute(update(LEASES).where(LEASES.c.lease_id == lease.lease_id).values(
            reserved_usd=LEASES.c.reserved_usd - returned_usd,
            reserved_tokens=LEASES.c.reserved_tokens - returned_tokens,
            expires_at=now + timedelta(seconds=LEASE_SECONDS),
        ).returning(LEASES.c.lease_id)).first() is not None
        period = periods[(lease.pipeline, lease.period_start)]
        if held:
            period.returned_usd += returned_usd
            period.returned_tokens += returned_tokens
        for change in by_lease[lease]:
            period.used_usd += change.used_usd
            period.used_tokens += change.used_tokens
            period.calls += change.calls
    for (pipeline, period_start), period in sorted(periods.items()):
        session.execute(update(PERIODS).where(PERIODS.c.pipeline == pipeline,
                                              PERIODS.c.period_start == period_start).values(
            reserved_usd=PERIODS.c.reserved_usd - period.returned_usd,
            reserved_tokens=PERIODS.c.reserved_tokens - period.returned_tokens,
            spent_usd=PERIODS.c.spent_usd + period.used_usd, spent_tokens=PERIODS.c.spent_tokens + period.used_tokens,
            calls=PERIODS.c.calls + period.calls, updated_at=now))


@dataclass
class _PeriodChange:
    """What a batch of lease changes does to one period's row."""

    returned_usd: float = 0.0
    returned_tokens: int = 0
    used_usd: float = 0.0
    used_tokens: int = 0
    calls: int = 0


def _give_back_expired(session: Session, pipeline: str, period_start: datetime, now: datetime) -> None:
    """Delete the period's leases that expired (their processes are gone) and take what they held off its
    reserved figures."""
    expired = session.execute(delete(LEASES).where(
        LEASES.c.pipeline == pipeline, LEASES.c.period_start == period_start, LEASES.c.expires_at < now,
    ).returning(LEASES.c.reserved_usd, LEASES.c.reserved_tokens)).all()
    if expired:
        session.execute(update(PERIODS).where(PERIODS.c.pipeline == pipeline,
                                              PERIODS.c.period_start == period_start).values(
            reserved_usd=PERIODS.c.reserved_usd - sum(row.reserved_usd for row in expired),
            reserved_tokens=PERIODS.c.reserved_tokens - sum(row.reserved_tokens for row in expired),
            updated_at=now))
