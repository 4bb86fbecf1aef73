"""What every `agentic` command shares: exit codes, one-line errors, plain tables, JSON output, the Prefect server to
talk to."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from agentic_kit._blocks.store import PipelineStore

EXIT_OK = 0
EXIT_FAILED = 1
"""The work ran and part of it failed (a document failed, a replayed dead letter failed again)."""
EXIT_USAGE = 2
"""The command line itself is wrong (Typer's own code for a bad option or argument)."""
EXIT_NOT_FOUND = 3
"""What the command names does not exist: a flow run, a dead letter, a file."""
EXIT_UNAVAILABLE = 4
"""Something the command needs does not answer: the Prefect server, the store."""

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one line in plain words on stderr and exit with code."""
    errors.print(f"agentic: {message}", markup=False, highlight=False, soft_wrap=True)
    raise SystemExit(code)


def plain_table(title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
    """A rich table of plain-text cells (no markup read from stored values)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for cells in rows:
        table.add_row(*(Text(str(cell)) for cell in cells))
    return table


def print_json(value: Any) -> None:
    """One JSON document on stdout, for scripts."""
    sys.stdout.write(json.dumps(value, default=str) + "\n")


def use_local_server() -> str:
    """Make sure a Prefect server answers (PREFECT_API_URL, else a local one started in the background) and point
    this process at it; returns its API URL."""
    from agentic_kit._operate.local_server import ensure_server

    if not os.environ.get("PREFECT_API_URL"):
        os.environ["PREFECT_API_URL"] = ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect")))
    return os.environ["PREFECT_API_URL"]


def pipeline_store(store_block: str | None) -> PipelineStore:
    """The store named (a saved block, read from the Prefect server) or the environment's (AGENTIC_DATABASE_URL)."""
    import asyncio

    if store_block:
        use_local_server()
    from agentic_kit._blocks.resolve import load_or_environment
    from agentic_kit._blocks.store import PipelineStore

    return asyncio.run(load_or_environment(PipelineStore, store_block))
