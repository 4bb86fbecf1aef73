"""This project's own `agentic` commands: running its pipelines, their cassettes and reviews.

The `agentic` command (the kit's) adds them through `register`, as it would any project's (AGENTIC_COMMANDS).
"""

from __future__ import annotations

import typer

from deployments.cli import cassette, research, review, run


def register(app: typer.Typer) -> None:
    """Add this project's commands to the `agentic` app."""
    app.command("run", help="Run the document pipeline once and print its report; exit 1 when a document failed.")(
        run.run)
    app.command("research")(research.research)
    app.add_typer(cassette.app, name="cassette",
                  help="Record a run's model calls to a file; replay them with no network.")
    app.add_typer(review.app, name="review", help="Runs waiting for a person's review: list them, resume one from a file.")
