"""A budget an agent's turns are charged to beside their pipeline's shared budget: a job's own, across its runs.

Each turn the model makes (never one replayed from cache) enters `budget.turn(step, key, estimate)` before it is
sent: the budget may refuse it (raise BudgetExhausted, a permanent error: the run stops and says why) or hold a
reservation of the estimate (the prompt's tokens and the whole output allowance at the model's prices). When the
turn answered, its usage is set on the charge it yielded, to settle at; a turn that fails leaves the budget to give
the reservation back. `key` is the turn's cache key, the same in every attempt and every resumed run, so a turn tried
again replaces its reservation instead of adding one.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from agentic_kit._domain.models.common import TokenUsage


@dataclass
class TurnCharge:
    """What the turn tells its budget once it answered: the usage to settle at."""

    usage: TokenUsage | None = None


class TurnBudget(Protocol):
    """Where an agent's turns are charged; see the module docstring."""

    def turn(self, step: str, key: str, estimate: TokenUsage) -> AbstractAsyncContextManager[TurnCharge]:
        """Around one turn: refuse it, or reserve its estimate and settle at the charge's usage."""
        ...
