"""A pipeline's budget saved for one test and deleted after it: the session's Prefect server is shared by every test,
and a budget left behind would stop the pipelines of the tests after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agentic_kit._blocks.model_budget import ModelBudget, forget_budgets


async def save_budget(budget: ModelBudget) -> ModelBudget:
    """Save the budget under its pipeline's name; this process's next model call reads it."""
    await budget.save(budget.pipeline, overwrite=True)
    forget_budgets()
    return budget


@asynccontextmanager
async def saved_budget(budget: ModelBudget) -> AsyncIterator[ModelBudget]:
    """The budget saved while the block runs, deleted after."""
    try:
        yield await save_budget(budget)
    finally:
        await ModelBudget.adelete(budget.pipeline)
        forget_budgets()
