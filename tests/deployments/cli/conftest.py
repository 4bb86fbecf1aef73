"""The `agentic` command run in this process (imports paid once), its tables wide enough to read whole."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from typer.testing import CliRunner

from agentic_kit._operate.cli import output
from agentic_kit._operate.cli.app import app

TABLE_WIDTH = 160


@pytest.fixture
def agentic(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `agentic args…` as a user would type it: its exit code, stdout and stderr (no traceback allowed)."""
    monkeypatch.setattr(output.console, "width", TABLE_WIDTH)

    def invoke(*args: str) -> Result:
        result = CliRunner().invoke(app, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    return invoke
