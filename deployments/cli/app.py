"""The `agentic` command: every command group of this package under one Typer app."""

from __future__ import annotations

import typer

from deployments.cli import budget, cache, cassette, costs, dead_letters, research, review, run

app = typer.Typer(
    name="agentic",
    help="Operate the agent pipelines: run them, look at costs, the cache, dead letters, reviews and budgets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run", help="Run the document pipeline once and print its report; exit 1 when a document failed.")(run.run)
app.command("research")(research.research)
app.command("costs")(costs.costs)
app.add_typer(dead_letters.app, name="dead-letters", help="Look at, replay and discard dead letters.")
app.add_typer(cache.app, name="cache", help="List cached step results and invalidate them so those steps run again.")
app.add_typer(cassette.app, name="cassette", help="Record a run's model calls to a file; replay them with no network.")
app.add_typer(budget.app, name="budget", help="Each pipeline's shared model budget: show what is spent, set limits.")
app.add_typer(review.app, name="review", help="Runs waiting for a person's review: list them, resume one from a file.")



def main() -> None:
    """The console script's entry point."""
    app()
