"""The `agentic` command: the kit's command groups, and the project's own commands under the same Typer app.

Nothing here imports Prefect: a command chooses its Prefect API (and may start a server) before anything does,
since Prefect reads its settings when it is first imported.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from agentic_kit._domain.settings import Settings
from agentic_kit._operate.cli import (
    agents,
    budget,
    cache,
    chaos,
    costs,
    dead_letters,
    evaluate,
    rollout,
    runner,
    server,
)

app = typer.Typer(
    name="agentic",
    help="Operate the agent pipelines: run them, look at costs, the cache, dead letters, reviews and budgets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("costs")(costs.costs)
app.add_typer(cache.app, name="cache", help="List cached step results and invalidate them so those steps run again.")
app.add_typer(budget.app, name="budget", help="Each pipeline's shared model budget: show what is spent, set limits.")
app.add_typer(dead_letters.app, name="dead-letters", help="Look at, replay and discard dead letters.")
app.add_typer(agents.app, name="agents", help="What the tool-calling agents did: their runs and transcripts.")
app.command("eval", help="Compare a step's candidate variant with its live one on a golden set; exit 1 when worse.")(
    evaluate.evaluate)
app.add_typer(rollout.variants_app, name="variants", help="A step's variants: instructions, model and settings.")
app.add_typer(rollout.rollout_app, name="rollout",
              help="Canary a step's candidate variant on a share of items; promote it, or roll it back.")
app.add_typer(server.app, name="server", help="The Prefect server `agentic run` left in the background: status, stop.")
app.command("runner", help="Run deployments' flow runs in this long-lived process: a delivered document starts "
            "within a poll, not a process start.")(runner.runner)
app.command("chaos", help="Run any pipeline under faults and SIGKILLs, then audit: nothing lost, nothing done twice.")(
    chaos.chaos)


def add_project_commands(typer_app: typer.Typer, module: str) -> None:
    """Add the commands of the project's module (AGENTIC_COMMANDS) by its `register(app)`; none when it is absent.

    The project is the folder the command runs in, as for Prefect's deployments: it is put first on the import path.
    """
    project_root = os.getcwd()
    if project_root not in sys.path:
        sys.path.insert(0, project_root)
    try:
        project = importlib.import_module(module)
    except ModuleNotFoundError as missing:
        if missing.name and module.startswith(missing.name):
            return
        raise
    project.register(typer_app)


add_project_commands(app, Settings().commands)


def main() -> None:
    """The console script's entry point."""
    app()
