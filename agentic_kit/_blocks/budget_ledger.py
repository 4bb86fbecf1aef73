"""The shared budget's ledger: one row per pipeline and period, written by every worker in single statements.

Reserving room is one INSERT … ON CONFLICT DO UPDATE … WHERE <it still fits> RETURNING: the database checks the
room and adds the estimate in the same statement, under the row's lock (PostgreSQL) or the database's write lock
(SQLite), so two workers can never both take the last room; no row comes back when it does not fit. The room is
reserved as leases that calls draw from and settle against (`agentic_kit/_blocks/budget_leases.py`).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection, and_, func, select

from agentic_kit._blocks.budget_tables import BudgetPeriodRow
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import dialect_insert, utc_now
from agentic_kit._blocks.store import PipelineStore

PERIODS = BudgetPeriodRow.__table__  # type: ignore[attr-defined]
PERIOD_KEY = ["pipeline", "period_start"]
USD_DIGITS = 9
"""Sums read back are rounded to a billionth of a dollar: adding and taking away the same floats can leave -1e-17."""


class BudgetStatus(BaseModel):
    """A pipeline's budget in its current period: its limits, what is spent, reserved and left."""

    pipeline: str
    period: str
    period_start: datetime
    resets_at: datetime
    max_usd: float | None
    max_tokens: int | None
    spent_usd: float
    spent_tokens: int
    reserved_usd: float
    reserved_tokens: int
    left_usd: float | None
    left_tokens: int | None
    calls: int
    refused: int
    exhausted_at: datetime | None


def usd(amount: float) -> float:
    """A ledger sum as a figure to show (never -0.0)."""
    return round(amount, USD_DIGITS) + 0.0


def _fits_alone(budget: ModelBudget, tokens: int, cost_usd: float) -> bool:
    """Whether a call fits an empty period at all."""
    return ((budget.max_usd is None or cost_usd <= budget.max_usd)
            and (budget.max_tokens is None or tokens <= budget.max_tokens))


def reserve_room(connection: Connection, budget: ModelBudget, pipeline: str, period_start: datetime, tokens: int,
                 cost_usd: float) -> bool:
    """Add tokens and cost_usd to the period's reserved figures in one statement, if they fit beside what is spent
    and reserved; whether they did (nothing changes when not)."""
    if not _fits_alone(budget, tokens, cost_usd):
        return False
    insert = dialect_insert(connection.engine, PERIODS).values(
        pipeline=pipeline, period_start=period_start, spent_usd=0.0, spent_tokens=0, reserved_usd=cost_usd,
        reserved_tokens=tokens, calls=0, refused=0, updated_at=utc_now())
    new = insert.excluded
    room = []
    if budget.max_usd is not None:
        room.append(PERIODS.c.spent_usd + PERIODS.c.reserved_usd + new.reserved_usd <= budget.max_usd)
    if budget.max_tokens is not None:
        room.append(PERIODS.c.spent_tokens + PERIODS.c.reserved_tokens + new.reserved_tokens <= budget.max_tokens)
    statement = insert.on_conflict_do_update(
        index_elements=PERIOD_KEY,
        set_={"reserved_usd": PERIODS.c.reserved_usd + new.reserved_usd,
              "reserved_tokens": PERIODS.c.reserved_tokens + new.reserved_tokens,
              "updated_at": new.updated_at},
        where=and_(*room),
    ).returning(PERIODS.c.pipeline)
    return connection.execute(statement).first() is not None


def record_refusal(store: PipelineStore, pipeline: str, period_start: datetime) -> tuple[bool, BudgetPeriodRow]:
    """Count a refused call, in one statement; whether it is the period's first (the one to announce), and the
    period's row."""
    now = utc_now()
    insert = dialect_insert(store.engine(), PERIODS).values(
        pipeline=pipeline, period_start=period_start, spent_usd=0.0, spent_tokens=0, reserved_usd=0.0,
        reserved_tokens=0, calls=0, refused=1, exhausted_at=now, updated_at=now)
    statement = insert.on_conflict_do_update(
        index_elements=PERIOD_KEY,
        set_={"refused": PERIODS.c.refused + 1, "updated_at": now,
              "exhausted_at": func.coalesce(PERIODS.c.exhausted_at, insert.excluded.exhausted_at)},
    ).returning(*PERIODS.c)
    with store.engine().begin() as connection:
        row = BudgetPeriodRow.model_validate(connection.execute(statement).one()._mapping)
    return row.exhausted_at == now, row


def period_row(store: PipelineStore, pipeline: str, period_start: datetime) -> BudgetPeriodRow | None:
    """One period's row of a pipeline's budget, if any call reached it."""
    with store.engine().connect() as connection:
        row = connection.execute(select(PERIODS).where(PERIODS.c.pipeline == pipeline,
                                                       PERIODS.c.period_start == period_start)).first()
    return BudgetPeriodRow.model_validate(row._mapping) if row is not None else None


def budget_status(store: PipelineStore, pipeline: str, budget: ModelBudget, now: datetime) -> BudgetStatus:
    """The pipeline's budget in the period holding now."""
    start, end = budget.period_bounds(now)
    row = period_row(store, pipeline, start) or BudgetPeriodRow(pipeline=pipeline, period_start=start)
    return BudgetStatus(
        pipeline=pipeline, period=budget.period, period_start=start, resets_at=end,
        max_usd=budget.max_usd, max_tokens=budget.max_tokens,
        spent_usd=usd(row.spent_usd), spent_tokens=row.spent_tokens,
        reserved_usd=usd(row.reserved_usd), reserved_tokens=row.reserved_tokens,
        left_usd=None if budget.max_usd is None else usd(max(0.0, budget.max_usd - row.spent_usd - row.reserved_usd)),
        left_tokens=None if budget.max_tokens is None else max(0, budget.max_tokens - row.spent_tokens
                                                               - row.reserved_tokens),
        calls=row.calls, refused=row.refused, exhausted_at=row.exhausted_at)
