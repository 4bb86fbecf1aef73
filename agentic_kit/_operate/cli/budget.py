"""`agentic budget`: each pipeline's shared model budget, what its current period spent, and setting one.

    agentic budget show [--json] [--store-block NAME]
    agentic budget set --pipeline document-pipeline --period day|month [--usd 5] [--tokens 200000]
                       [--period-start 2026-01-01T06:00:00Z]

`show` reads the Model Budget blocks (and the AGENTIC_BUDGET_* budget) from the Prefect server and each one's
current period from the store (AGENTIC_DATABASE_URL, or a saved Pipeline Store block); `set` saves the block
named after the pipeline, which running workers pick up within AGENTIC_BUDGET_REFRESH_SECONDS.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, NoReturn

import httpx
import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from agentic_kit._operate.cli.output import EXIT_UNAVAILABLE, EXIT_USAGE, console, fail, print_json, use_local_server

if TYPE_CHECKING:
    from agentic_kit._blocks.budget_ledger import BudgetStatus

app = typer.Typer(no_args_is_help=True)


class PeriodChoice(str, Enum):
    """How long a budget lasts before it starts again."""

    day = "day"
    month = "month"


def _figure(value: float | None, dollars: bool) -> str:
    if value is None:
        return "unlimited"
    return f"${value:,.4f}" if dollars else f"{value:,}"


def _table(status: BudgetStatus) -> Table:
    """One pipeline's budget: a row for dollars and one for tokens, its calls and its reset in the caption."""
    table = Table("", "limit", "spent", "reserved", "left",
                  title=f"{status.pipeline}: per {status.period}, resets {status.resets_at:%Y-%m-%d %H:%M} UTC",
                  title_justify="left",
                  caption=f"{status.calls} calls settled, {status.refused} refused this {status.period}")
    for label, dollars, figures in (
        ("USD", True, (status.max_usd, status.spent_usd, status.reserved_usd, status.left_usd)),
        ("tokens", False, (status.max_tokens, status.spent_tokens, status.reserved_tokens, status.left_tokens)),
    ):
        table.add_row(label, *(_figure(figure, dollars) for figure in figures))
    return table


def _server_down(api_url: str, exc: Exception) -> NoReturn:
    fail(f"the Prefect server at {api_url} does not answer ({type(exc).__name__}); is it running?", EXIT_UNAVAILABLE)


async def _statuses(store_block: str | None) -> list[BudgetStatus]:
    # Prefect reads its settings (PREFECT_API_URL) when first imported: the blocks, which import it, are imported
    # here, once the command has chosen its server (use_local_server).
    from agentic_kit._blocks.budget_ledger import budget_status
    from agentic_kit._blocks.model_budget import every_budget
    from agentic_kit._blocks.resolve import load_or_environment
    from agentic_kit._blocks.sql import utc_now
    from agentic_kit._blocks.store import PipelineStore

    budgets = await every_budget()
    store = await load_or_environment(PipelineStore, store_block)
    now = utc_now()
    return await asyncio.to_thread(
        lambda: [budget_status(store, pipeline, budget, now) for pipeline, budget in budgets.items()])


@app.command("show")
def show(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document, for scripts."),
    store_block: str | None = typer.Option(None, "--store-block",
                                           help="A saved Pipeline Store block (default: AGENTIC_DATABASE_URL)."),
) -> None:
    """Each pipeline's budget in its current period: limits, spent, reserved and left."""
    api_url = use_local_server()
    try:
        statuses = asyncio.run(_statuses(store_block))
    except httpx.HTTPError as exc:
        _server_down(api_url, exc)
    except SQLAlchemyError as exc:
        fail(f"the pipeline store does not answer ({type(exc).__name__}): check AGENTIC_DATABASE_URL",
             EXIT_UNAVAILABLE)
    if as_json:
        print_json([status.model_dump(mode="json") for status in statuses])
        return
    if not statuses:
        console.print("No budget is set: every pipeline is unlimited. Set one with `agentic budget set`.")
        return
    for status in statuses:
        console.print(_table(status))


def _moment(value: str | None) -> datetime | None:
    """An ISO datetime from the command line (naive means UTC)."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"--period-start: {value!r} is not an ISO datetime such as 2026-01-01T06:00:00Z", EXIT_USAGE)


@app.command("set")
def set_budget(
    pipeline: str = typer.Option(..., "--pipeline", help="The pipeline's flow name, e.g. document-pipeline."),
    period: PeriodChoice = typer.Option(..., "--period", help="How long the budget lasts: a day or a month."),
    usd: float | None = typer.Option(None, "--usd", min=0, help="The most a period's model calls may cost (USD)."),
    tokens: int | None = typer.Option(None, "--tokens", min=0,
                                      help="The most tokens a period's model calls may use."),
    period_start: str | None = typer.Option(None, "--period-start",
                                            help="When periods start (ISO, UTC); default midnight, the 1st."),
) -> None:
    """Save a pipeline's budget (the Model Budget block named after it); replaces the one it had."""
    if usd is None and tokens is None:
        fail("give --usd or --tokens (or both): a budget with no limit limits nothing", EXIT_USAGE)
    starts = _moment(period_start)
    api_url = use_local_server()
    from agentic_kit._blocks.model_budget import ModelBudget  # a Prefect block: imported once the server is chosen

    try:
        budget = ModelBudget(pipeline=pipeline, period=period.value, max_usd=usd, max_tokens=tokens,
                             period_start=starts)
    except ValidationError as exc:
        fail(str(exc.errors()[0]["msg"]).removeprefix("Value error, "), EXIT_USAGE)
    try:
        asyncio.run(budget.asave(pipeline, overwrite=True))
    except httpx.HTTPError as exc:
        _server_down(api_url, exc)
    console.print(f"{pipeline}: {budget.limits_label()}, saved as block "
                  f"{ModelBudget.get_block_type_slug()}/{pipeline}")
