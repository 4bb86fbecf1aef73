"""Run the parts of a research job, keeping what is missing and why.

A part that fails does not fail the job: it is recorded as missing with its error. Once the budget
refuses a model call, no further model call is started; parts already running finish. (Each part's
task waits for its agent type's turn itself, see `tasks/research/limits.py`.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from prefect import Task

from agentic_kit import BudgetExhausted, PipelineStore
from agentic_kit.models import Findings, MissingPart, ModelReply
from agentic_kit.store import record_cached_answers
from tasks.research.limits import AgentKind

FAN_OUT_KINDS = frozenset({AgentKind.RESEARCHER, AgentKind.SCRAPER, AgentKind.TOOL})
"""The parts the least-success fraction is measured on."""


class PartRunner:
    """Runs parts and keeps the job's record: missing parts, the budget's stop, model calls made and cached."""

    def __init__(self, store: PipelineStore) -> None:
        self.store = store
        self.missing: list[MissingPart] = []
        self.budget_stop: str | None = None
        self.model_calls = 0
        self.cached_calls = 0

    def _skipped(self, kind: AgentKind, label: str) -> bool:
        """Whether the budget stopped the job before this model call started (recording it if so)."""
        if kind.calls_model and self.budget_stop:
            self.missing.append(MissingPart(kind=kind, label=label, budget=True,
                                            reason="not started: the budget stopped the run"))
            return True
        return False

    async def run(self, kind: AgentKind, label: str, task: Task[..., Any], *args: Any) -> Any | None:
        """The task's result, or None when it was skipped or failed (and so is recorded as missing)."""

        async def task_part() -> tuple[Any, tuple[int, int]]:
            state = await task(*args, return_state=True)
            result = await state.aresult()
            if state.name != "Cached":
                return result, (1, 0)
            if kind.calls_model and isinstance(result, ModelReply):
                record_cached_answers(self.store, task.name, result.model)
            return result, (0, 1)

        return await self.run_part(kind, label, task_part)

    async def run_part(self, kind: AgentKind, label: str,
                       part: Callable[[], Awaitable[tuple[Any, tuple[int, int]]]]) -> Any | None:
        """A part's result (an agent's: it says how many model calls it made and found cached), or None when it was
        skipped or failed (and so is recorded as missing)."""
        if self._skipped(kind, label):
            return None
        try:
            result, (made, cached) = await part()
        except BudgetExhausted as exc:
            self.budget_stop = self.budget_stop or str(exc)
            self.missing.append(MissingPart(kind=kind, label=label, reason=f"not made: {exc}", budget=True))
            return None
        except Exception as exc:  # noqa: BLE001 - a part's failure is recorded, never raised
            self.missing.append(MissingPart(kind=kind, label=label, reason=f"{type(exc).__name__}: {exc}"))
            return None
        if kind.calls_model:
            self.model_calls += made
            self.cached_calls += cached
        return result

    def failed(self, kinds: frozenset[AgentKind] = FAN_OUT_KINDS) -> list[MissingPart]:
        """Parts of these kinds that failed (budget skips are not failures)."""
        return [m for m in self.missing if m.kind in kinds and not m.budget]

    def success_fraction(self, findings: Findings) -> float:
        """The share of fan-out parts that delivered, of those that delivered or failed."""
        attempted = findings.parts + len(self.failed())
        return findings.parts / attempted if attempted else 1.0
