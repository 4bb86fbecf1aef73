"""The research pipeline's tables: each research job's latest report, and the budget ledger of its model calls."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from blocks.store_tables import utc_now


class ResearchRunRow(SQLModel, table=True):
    """One research job (its key hashes the question and the parameters that shape the work) and its report."""

    __tablename__ = "research_runs"

    run_key: str = Field(primary_key=True, max_length=64)
    question: str = ""
    status: str = Field(default="running", index=True,
                        description="running, complete, below_bar, budget_stopped or failed")
    score: float | None = None
    rounds: int = 0
    report: str | None = Field(default=None, description="the report as markdown")
    tokens_spent: int = 0
    cost_usd: float = 0.0
    max_tokens: int | None = None
    max_cost_usd: float | None = None
    budget_stop: str | None = Field(default=None, description="why the budget stopped the job, if it did")
    stopped_at: str | None = Field(default=None, description="the budget the stop holds for (a higher one lifts it)")
    flow_run_id: str | None = Field(default=None, index=True)
    first_seen: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class BudgetChargeRow(SQLModel, table=True):
    """One model call charged to a research job: reserved before the call, settled at its real usage after.

    The call key hashes the request, so a call tried again (a retry, or a resume after a crash) replaces
    its own charge instead of adding one; calls answered from cache are never charged.
    """

    __tablename__ = "research_budget_charges"

    run_key: str = Field(primary_key=True, max_length=64)
    call_key: str = Field(primary_key=True, max_length=64)
    step: str
    state: str = Field(description="reserved (an estimate, call under way) or settled (what it used)")
    tokens: int
    cost_usd: float
    updated_at: datetime = Field(default_factory=utc_now)
