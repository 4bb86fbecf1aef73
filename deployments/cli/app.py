"""The `agentic` command: every command group of this package under one Typer app."""

from __future__ import annotations

import typer

from deployments.cli import run

app = typer.Typer(
    name="agentic",
    help="Operate the agent pipelines: run them, look at costs, the cache, dead letters, reviews and budgets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def commands() -> None:
    """Keeps every command a subcommand (`agentic run …`), even while only one is registered."""


app.command("run", help="Run the document pipeline once and print its report; exit 1 when a document failed.")(run.run)


def main() -> None:
    """The console script's entry point."""
    app()
