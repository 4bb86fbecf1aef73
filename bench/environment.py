"""An isolated Prefect environment for one bench session: a temp home, a free port, a real local server.

Imports nothing from Prefect, so the environment is set before Prefect reads its settings.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agentic_kit._operate.local_server import running_server
from agentic_kit._operate.scratch_postgres import postgres_answers, scratch_database


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare() -> Path:
    """Point this process (and its children) at a fresh home and a server URL on a free port; return the home."""
    root = Path(tempfile.mkdtemp(prefix="agentic-bench-"))
    api_url = f"http://127.0.0.1:{free_port()}/api"
    os.environ.update({
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_UI_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
        "PREFECT_LOGGING_LEVEL": "INFO",  # the default, whatever the caller's shell says: task-run logs reach the API
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",  # the console as `agentic run` keeps it
        "AGENTIC_INGEST_ROOTS": str(root),
    })
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AGENTIC_ENRICHMENT_URL", "AGENTIC_DATABASE_URL"):
        os.environ.pop(variable, None)
    return root


SERVER_DATABASE_VARIABLE = "AGENTIC_BENCH_SERVER_DATABASE"
"""`postgresql` (the default when PostgreSQL answers on 127.0.0.1:5432, as in production and in the tests) or
`sqlite` (Prefect's default: one writer at a time, which the server's event recorders queue on)."""


@contextmanager
def server_database() -> Iterator[str | None]:
    """A throwaway PostgreSQL database for the bench's Prefect server (dropped at the end), or None for SQLite."""
    if os.environ.get(SERVER_DATABASE_VARIABLE, "postgresql") == "sqlite" or not postgres_answers():
        yield None
        return
    with scratch_database("agentic_bench") as url:
        yield url.replace("postgresql://", "postgresql+asyncpg://")


@contextmanager
def prefect_server() -> Iterator[subprocess.Popen[bytes]]:
    """A real `prefect server start` at PREFECT_API_URL for as long as the block lasts, on PostgreSQL when one
    answers (see SERVER_DATABASE_VARIABLE); which one is in os.environ[SERVER_DATABASE_VARIABLE] while it runs."""
    with server_database() as database_url:
        os.environ[SERVER_DATABASE_VARIABLE] = "postgresql" if database_url else "sqlite"
        with running_server(os.environ["PREFECT_API_URL"], Path(os.environ["PREFECT_HOME"]), database_url) as process:
            yield process
