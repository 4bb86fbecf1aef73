"""`agentic budget set` writes the pipeline's Model Budget block, `show` reads it back with its period from the store,
and bad input gets one line and the usage exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._operate.cli.app import app
from agentic_kit._operate.cli.output import EXIT_USAGE

PIPELINE = "budget-cli-pipeline"


@pytest.fixture
def runner() -> Iterator[CliRunner]:
    """A CLI runner; the budget it saves is deleted afterwards (the session's server is shared)."""
    yield CliRunner()
    try:
        ModelBudget.delete(PIPELINE)
    except ValueError:
        pass


def test_set_saves_the_block_and_show_reports_its_period(runner: CliRunner) -> None:
    saved = runner.invoke(app, ["budget", "set", "--pipeline", PIPELINE, "--period", "month", "--usd", "12.5",
                                "--tokens", "400000", "--period-start", "2026-01-05T06:00:00Z"])
    assert saved.exit_code == 0, saved.output
    assert "$12.50 and 400,000 tokens a month" in saved.output
    block = ModelBudget.load(PIPELINE)
    assert (block.period, block.max_usd, block.max_tokens, block.period_start.day) == ("month", 12.5, 400000, 5)

    shown = runner.invoke(app, ["budget", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    (status,) = [s for s in json.loads(shown.stdout) if s["pipeline"] == PIPELINE]
    assert (status["max_usd"], status["spent_usd"], status["left_usd"], status["left_tokens"]) == (12.5, 0, 12.5, 400000)
    assert status["period_start"].endswith("-05T06:00:00Z") and status["calls"] == 0

    table = runner.invoke(app, ["budget", "show"])
    assert table.exit_code == 0 and PIPELINE in table.output


@pytest.mark.parametrize(("arguments", "message"), [
    (["--period", "day"], "give --usd or --tokens"),
    (["--period", "day", "--usd", "1", "--period-start", "tomorrow"], "is not an ISO datetime"),
])
def test_set_refuses_a_budget_that_limits_nothing_or_a_bad_start(
    runner: CliRunner, arguments: list[str], message: str,
) -> None:
    result = runner.invoke(app, ["budget", "set", "--pipeline", PIPELINE, *arguments])
    assert result.exit_code == EXIT_USAGE and message in result.output and len(result.output.splitlines()) == 1


def test_set_refuses_a_name_that_is_no_pipeline(runner: CliRunner) -> None:
    result = runner.invoke(app, ["budget", "set", "--pipeline", "My Pipeline", "--period", "day", "--usd", "1"])
    assert result.exit_code == EXIT_USAGE and "'My Pipeline' is not a pipeline name" in result.output
