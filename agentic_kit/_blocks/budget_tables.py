"""The shared model budget's tables: model_budget_periods (spent and reserved per pipeline and period) and
model_budget_leases (room one process reserved at once). `agentic_kit._blocks.store` creates them with the others."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from agentic_kit._blocks.sql import UTCDateTime, utc_now


class BudgetPeriodRow(SQLModel, table=True):
    """What one pipeline's model calls spent and hold reserved in one period of its shared budget.

    A call reserves its estimate before it starts and settles at its real usage after, each in one statement, so
    every worker counts against the same row.
    """

    __tablename__ = "model_budget_periods"

    pipeline: str = Field(primary_key=True, max_length=200)
    period_start: datetime = Field(primary_key=True, sa_type=UTCDateTime, description="the period's start, UTC")
    spent_usd: float = Field(default=0.0, description="what the settled calls cost")
    spent_tokens: int = Field(default=0, description="the tokens the settled calls used")
    reserved_usd: float = Field(default=0.0, description="the estimates of the calls under way and the leases' room")
    reserved_tokens: int = Field(default=0, description="the same in tokens")
    calls: int = Field(default=0, description="settled calls")
    refused: int = Field(default=0, description="calls the budget did not let start")
    exhausted_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                          description="when the first call was refused (and announced)")
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class BudgetLeaseRow(SQLModel, table=True):
    """Room one process reserved at once in a period of its pipeline's budget, which its next calls draw from
    without a statement each; its reserved figures are part of the period's until they settle or come back.

    A settled call renews the lease; a lease left to expire (its process killed) is given back by the next lease any
    process takes in that period.
    """

    __tablename__ = "model_budget_leases"

    lease_id: str = Field(primary_key=True, max_length=36)
    pipeline: str = Field(max_length=200)
    period_start: datetime = Field(sa_type=UTCDateTime)
    reserved_usd: float = Field(description="what the lease still holds in the period's reserved_usd")
    reserved_tokens: int = Field(description="the same in tokens")
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
