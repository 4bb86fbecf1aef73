"""Test session setup: a real Prefect server on a free port, isolated state, short backoff.

The environment is set before anything imports Prefect or the task policies, so every module,
and every subprocess a test starts, sees the same server and the same figures.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SESSION_HOME = Path(tempfile.mkdtemp(prefix="agentic-tests-"))
API_URL = f"http://127.0.0.1:{free_port()}/api"
API_AUTH = "agentic:session-secret"
os.environ.update({
    "PREFECT_HOME": str(SESSION_HOME / "prefect"),
    "PREFECT_API_URL": API_URL,
    "PREFECT_SERVER_UI_API_URL": API_URL,
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_API_AUTH_STRING": API_AUTH,  # the session's server requires it, so every test runs with API auth on
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "INFO",  # the server's event-ordering decisions land in server.log
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "AGENTIC_MODEL_PROVIDER": "offline",
    "AGENTIC_BACKOFF_BASE_SECONDS": "0.2",
    "AGENTIC_BACKOFF_CAP_SECONDS": "1",
    "AGENTIC_LLM_TIMEOUT_SECONDS": "3",
    "AGENTIC_TOOL_TIMEOUT_SECONDS": "3",
    "AGENTIC_LLM_TASK_TIMEOUT_SECONDS": "120",
    "AGENTIC_TOOL_TASK_TIMEOUT_SECONDS": "120",
    "AGENTIC_LOCK_URL": f"file:{SESSION_HOME / 'locks'}",
    "AGENTIC_INGEST_ROOTS": os.pathsep.join([str(Path(__file__).resolve().parent.parent), tempfile.gettempdir()]),
})
for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AGENTIC_ENRICHMENT_URL", "AGENTIC_DATABASE_URL"):
    os.environ.pop(variable, None)

from pydantic import SecretStr

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._operate.local_server import running_server
from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.support.postgres import postgres_answers, postgres_database

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the chaos session last: its killed runs and faults flood the shared Prefect server with events,
    and tests that wait for an automation's notification should not queue behind them."""
    items.sort(key=lambda item: "tests/chaos/" in item.nodeid)


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[str]:
    """A real `prefect server start` for the whole session: on PostgreSQL when one answers, else on SQLite."""
    if not postgres_answers():
        with running_server(API_URL, SESSION_HOME / "prefect"):
            yield API_URL
        return
    for url in postgres_database():  # the server on PostgreSQL, as in production: no SQLite write lock to queue on
        with running_server(API_URL, SESSION_HOME / "prefect", url.replace("postgresql://", "postgresql+asyncpg://")):
            yield API_URL


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own result storage (so no cache leaks between tests), SQLite store and export folder."""
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    results = tmp_path / "results"
    monkeypatch.setenv("PREFECT_LOCAL_STORAGE_PATH", str(results))
    monkeypatch.setenv("AGENTIC_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("AGENTIC_EXPORT_FOLDER", str(tmp_path / "exports"))
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: results}):
        yield tmp_path


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll condition every 0.1 s until it holds; AssertionError naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def run_python(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run `python args…` from the repository root with the test environment (plus env)."""
    return subprocess.run(
        [sys.executable, *args], check=False, cwd=REPO_ROOT, env={**os.environ, **(env or {})},
        capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    """An OpenAI-compatible server on 127.0.0.1 with fault injection and a request log."""
    with ModelServer() as server:
        yield server


@pytest.fixture
def enrichment_server() -> Iterator[EnrichmentServer]:
    """The enrichment contract served on 127.0.0.1 with fault injection and a request log."""
    with EnrichmentServer() as server:
        yield server


def served_model(server: ModelServer, timeout_seconds: float = 2.0) -> LanguageModel:
    """A language-model block that points at a test model server."""
    return LanguageModel(
        provider="openai-compatible", model="test-model", base_url=f"{server.url}/v1",
        api_key=SecretStr("test-key"), timeout_seconds=timeout_seconds,
        input_price_per_million=2.0, output_price_per_million=8.0,
    )


async def wait_for_events(name: str, timeout: float = 20.0, at_least: int = 1) -> list[Any]:
    """The events called name the server has stored, polled until at least `at_least` arrive."""
    from prefect import get_client
    from prefect.events.filters import EventFilter, EventNameFilter

    deadline = asyncio.get_running_loop().time() + timeout
    async with get_client() as client:
        while True:
            page = await client.read_events(filter=EventFilter(event=EventNameFilter(name=[name])), limit=50)
            if len(page.events) >= at_least or asyncio.get_running_loop().time() > deadline:
                return list(page.events)
            await asyncio.sleep(0.5)
