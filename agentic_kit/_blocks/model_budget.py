"""The Model Budget block: how much one pipeline's model calls may spend a day or a month, across every run and
worker, and how a process finds it.

A budget is saved under the pipeline's name (the flow name, e.g. `document-pipeline`), so a model call finds its
pipeline's budget without being told; without a saved block, the AGENTIC_BUDGET_* variables may describe one;
without either, the pipeline is unlimited. Periods start at `period_start` and repeat every day or month (by
default at midnight UTC and on the 1st): the period's start is the key its spending is counted under, so moving
`period_start` starts a new period at once. A process keeps what it found for AGENTIC_BUDGET_REFRESH_SECONDS, so
a call costs no Prefect API request (editing a block reaches running workers within that time).
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Literal

from prefect import get_client
from prefect.blocks.core import Block
from prefect.exceptions import ObjectNotFound
from pydantic import Field, field_validator, model_validator

from agentic_kit._blocks.sql import as_utc
from agentic_kit._domain.settings import current_settings

Period = Literal["day", "month"]
PERIODS: tuple[str, ...] = ("day", "month")
DEFAULT_PERIOD_START = datetime(2000, 1, 1, tzinfo=UTC)
"""Where periods count from when a budget names no start: days start at midnight UTC, months on the 1st."""
PIPELINE_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
"""A pipeline's name is a flow name that is also a valid block name: lowercase letters, digits and dashes."""


class ModelBudget(Block):
    """A pipeline's shared model budget: at most max_usd and max_tokens a day or a month, over every run and worker."""

    _block_type_name = "Model Budget"
    _description = ("The most a pipeline's model calls may cost and use a day or a month, shared by every run and "
                    "worker. Save it under the pipeline's name (e.g. document-pipeline).")

    pipeline: str = Field(description="The flow name of the pipeline it limits, e.g. document-pipeline.")
    period: Period = Field(default="day", description="How long the budget lasts before it starts again.")
    max_usd: float | None = Field(default=None, ge=0, description="The most a period's model calls may cost (USD).")
    max_tokens: int | None = Field(default=None, ge=0,
                                   description="The most tokens (prompt and answer) a period's model calls may use.")
    period_start: datetime | None = Field(
        default=None, description="When periods start (UTC), repeating every day or month; empty: midnight UTC "
        "each day, or the 1st of each month.")

    @field_validator("pipeline")
    @classmethod
    def _a_flow_name(cls, value: str) -> str:
        """The pipeline's flow name, which is also the block's name."""
        if not re.fullmatch(PIPELINE_NAME_PATTERN, value):
            raise ValueError(f"{value!r} is not a pipeline name: use its flow name, in lowercase letters, digits and "
                             "dashes, such as document-pipeline")
        return value

    @field_validator("period_start")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """Periods are counted in UTC; a time without an offset is taken as UTC."""
        return None if value is None else as_utc(value)

    @model_validator(mode="after")
    def _limits_something(self) -> ModelBudget:
        """A budget with no limit limits nothing."""
        if self.max_usd is None and self.max_tokens is None:
            raise ValueError(f"the budget of {self.pipeline} sets neither max_usd nor max_tokens: give one or both")
        return self

    @classmethod
    def from_environment(cls, pipeline: str) -> ModelBudget | None:
        """The budget AGENTIC_BUDGET_* describe, if it is this pipeline's (AGENTIC_BUDGET_PIPELINE), else None."""
        settings = current_settings()
        if settings.budget_pipeline != pipeline:
            return None
        return cls(pipeline=pipeline, period=settings.budget_period, max_usd=settings.budget_max_usd,
                   max_tokens=settings.budget_max_tokens, period_start=settings.budget_period_start)

    def period_bounds(self, moment: datetime) -> tuple[datetime, datetime]:
        """The start and end (UTC) of the period holding moment."""
        anchor = self.period_start or DEFAULT_PERIOD_START
        moment = as_utc(moment)
        if self.period == "day":
            start = anchor + timedelta(days=(moment - anchor) // timedelta(days=1))
            return start, start + timedelta(days=1)
        months = (moment.year - anchor.year) * 12 + moment.month - anchor.month
        if _add_months(anchor, months) > moment:
            months -= 1
        return _add_months(anchor, months), _add_months(anchor, months + 1)

    def limits_label(self) -> str:
        """The limits in words: `$5.00 and 200,000 tokens a day`."""
        limits = [f"${self.max_usd:,.2f}" if self.max_usd is not None else "",
                  f"{self.max_tokens:,} tokens" if self.max_tokens is not None else ""]
        return f"{' and '.join(limit for limit in limits if limit)} a {self.period}"


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (or earlier), on the month's last day when it is shorter."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


async def _saved_budget(pipeline: str) -> ModelBudget | None:
    """The Model Budget block saved under the pipeline's name, if there is one (the name decides, so a block saved
    under one pipeline's name limits that pipeline whatever its `pipeline` field says). A saved budget that is not
    valid raises (Prefect's RuntimeError naming it): a broken budget must not pass for none."""
    try:
        return await ModelBudget.aload(pipeline)
    except ValueError:  # Prefect's answer for a block (or block type) that does not exist
        return None


_found: dict[str, tuple[float, ModelBudget | None]] = {}


async def budget_for(pipeline: str) -> ModelBudget | None:
    """The pipeline's budget: its saved block, else the environment's, else None (unlimited); kept for
    AGENTIC_BUDGET_REFRESH_SECONDS."""
    now = time.monotonic()
    kept = _found.get(pipeline)
    if kept is not None and kept[0] > now:
        return kept[1]
    budget = await _saved_budget(pipeline) or ModelBudget.from_environment(pipeline)
    _found[pipeline] = (now + current_settings().budget_refresh_seconds, budget)
    return budget


def forget_budgets() -> None:
    """Drop the budgets this process keeps, so its next call reads the blocks again (for a process that saves a
    budget and then runs a pipeline itself)."""
    _found.clear()


async def every_budget() -> dict[str, ModelBudget]:
    """Every saved budget by pipeline, and the environment's when no block names its pipeline, in pipeline order."""
    async with get_client() as client:
        try:
            documents = await client.read_block_documents_by_type(ModelBudget.get_block_type_slug())
        except ObjectNotFound:  # the block type was never registered: nothing saved
            documents = []
    budgets = {document.name: ModelBudget._from_block_document(document) for document in documents if document.name}
    environment_pipeline = current_settings().budget_pipeline
    if environment_pipeline and environment_pipeline not in budgets:
        environment = ModelBudget.from_environment(environment_pipeline)
        if environment is not None:
            budgets[environment_pipeline] = environment
    return dict(sorted(budgets.items()))
