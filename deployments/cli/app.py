"""The `agentic` command: every command group of this package under one Typer app."""

from __future__ import annotations

import typer

from deployments.cli import review

app = typer.Typer(
    name="agentic",
    help="Operate the agent pipelines: run them, look at costs, the cache, dead letters, reviews and budgets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(review.app, name="review", help="Runs waiting for a person's review: list them, resume one from a file.")


def main() -> None:
    """The console script's entry point."""
    app()
