"""The `agentic` command: every command group of this package under one Typer app."""

from __future__ import annotations

import typer

from deployments.cli import budget

app = typer.Typer(
    name="agentic",
    help="Operate the agent pipelines: run them, look at costs, the cache, dead letters, reviews and budgets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(budget.app, name="budget", help="Each pipeline's shared model budget: show what is spent, set limits.")


def main() -> None:
    """The console script's entry point."""
    app()
