"""The research pipeline's writes to the pipeline store: the budget ledger and the reports.

The ledger makes the budget hold under fan-out and survive a resume: a call reserves its estimate in
one transaction that first locks the job's row (so concurrent reservations queue, on SQLite and on
PostgreSQL), and settles at its real usage when it returns.
"""

from __future__ import annotations

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from agentic_kit._blocks.sql import dialect_insert, upsert, utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import BudgetChargeRow, ResearchRunRow
from agentic_kit._domain.errors import BudgetExhausted
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._domain.models.research import Budget, Spend

RESERVED = "reserved"
SETTLED = "settled"




def _lock_job(session: Session, run_key: str) -> None:
    """Take the job's row lock (creating the row if needed): reservations of one job then run one at a time."""
    statement = dialect_insert(session, ResearchRunRow.__table__).values(run_key=run_key, updated_at=utc_now())  # type: ignore[attr-defined]
    session.exec(statement.on_conflict_do_update(index_elements=["run_key"], set_={"updated_at": utc_now()}))


def _spend(session: Session, run_key: str, excluding: str | None = None) -> Spend:
    """The job's charges (settled and reserved), leaving out one call's own."""
    query = select(
        func.count(col(BudgetChargeRow.call_key)),
        func.coalesce(func.sum(BudgetChargeRow.tokens), 0),
        func.coalesce(func.sum(BudgetChargeRow.cost_usd), 0.0),
    ).where(BudgetChargeRow.run_key == run_key)
    if excluding is not None:
        query = query.where(BudgetChargeRow.call_key != excluding)
    calls, tokens, cost = session.exec(query).one()
    return Spend(calls=calls, tokens=tokens, cost_usd=float(cost))


def limits_label(budget: Budget) -> str:
    """A budget's limits in one string (what a budget stop holds for)."""
    return f"{budget.max_tokens} tokens, ${budget.max_cost_usd}"


def _stop_for(job: ResearchRunRow | None, budget: Budget) -> str | None:
    """Why the budget stopped the job, when it did so at this budget."""
    return job.budget_stop if job is not None and job.stopped_at == limits_label(budget) else None


def refuse_if_stopped(store: PipelineStore, budget: Budget) -> None:
    """Raise BudgetExhausted when the budget already stopped the job at this budget (a read, no lock)."""
    with Session(store.engine()) as session:
        if stop := _stop_for(session.get(ResearchRunRow, budget.run_key), budget):
            raise BudgetExhausted(stop)


def reserve_charge(store: PipelineStore, budget: Budget, call_key: str, step: str, estimate: TokenUsage) -> None:
    """Reserve a call's estimated usage, or raise BudgetExhausted when it would take the job past its budget.

    The first refusal stops the job for good at this budget: later calls are refused too, even ones
    that would still fit, so a stopped run starts nothing new (running it with a higher budget goes on).
    """
    tokens = estimate.input_tokens + estimate.output_tokens
    with Session(store.engine()) as session:
        _lock_job(session, budget.run_key)
        if stop := _stop_for(session.get(ResearchRunRow, budget.run_key), budget):
            raise BudgetExhausted(stop)
        spent = _spend(session, budget.run_key, excluding=call_key)
        if spent.tokens + tokens > budget.max_tokens or spent.cost_usd + estimate.cost_usd > budget.max_cost_usd:
            stop = (f"{step}: the next call (up to {tokens:,} tokens, ${estimate.cost_usd:.4f}) would take the "
                    f"run past its budget of {budget.max_tokens:,} tokens and ${budget.max_cost_usd:.4f} "
                    f"(spent or reserved: {spent.tokens:,} tokens, ${spent.cost_usd:.4f})")
            session.exec(update(ResearchRunRow).where(col(ResearchRunRow.run_key) == budget.run_key)
                         .values(budget_stop=stop, stopped_at=limits_label(budget)))
            session.commit()
            raise BudgetExhausted(stop)
        upsert(session, BudgetChargeRow(run_key=budget.run_key, call_key=call_key, step=step, state=RESERVED,
                                         tokens=tokens, cost_usd=estimate.cost_usd))
        session.commit()


def settle_charge(store: PipelineStore, budget: Budget, call_key: str, step: str, usage: TokenUsage) -> None:
    """Replace a call's reservation with what it really used."""
    with Session(store.engine()) as session:
        upsert(session, BudgetChargeRow(run_key=budget.run_key, call_key=call_key, step=step, state=SETTLED,
                                         tokens=usage.input_tokens + usage.output_tokens, cost_usd=usage.cost_usd,
                                         updated_at=utc_now()))
        session.commit()


def release_charge(store: PipelineStore, budget: Budget, call_key: str) -> None:
    """Drop the reservation of a call that failed (a settled charge stays)."""
    with Session(store.engine()) as session:
        session.exec(delete(BudgetChargeRow).where(
            col(BudgetChargeRow.run_key) == budget.run_key, col(BudgetChargeRow.call_key) == call_key,
            col(BudgetChargeRow.state) == RESERVED,
        ))
        session.commit()


def budget_spent(store: PipelineStore, run_key: str) -> Spend:
    """What the job's model calls have used, over every run of it."""
    with Session(store.engine()) as session:
        return _spend(session, run_key)


def save_research_run(store: PipelineStore, row: ResearchRunRow) -> None:
    """Write a job's report and figures; writing it again replaces them."""
    with Session(store.engine()) as session:
        upsert(session, row)
        session.commit()
