"""`agentic run` in a subprocess: plain progress lines when stderr is not a terminal, a live bar when it is, Prefect's
per-task lines on the console only with --verbose (and in the Prefect API either way), exit 1 when a document
failed."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from typer.testing import CliRunner

from agentic_kit._operate.cli.app import app
from agentic_kit._operate.cli.output import EXIT_NOT_FOUND
from agentic_kit.operate import free_port
from agentic_kit.testing import EnrichmentServer
from deployments.run_local import SAMPLE_DOCUMENTS
from tests.conftest import REPO_ROOT, run_python

PRINTING_EVERY_TASK = {"PREFECT_LOGGING_LEVEL": "INFO", "AGENTIC_PROGRESS_INTERVAL_SECONDS": "0.5"}
"""Prefect's own default log level (the test session's is WARNING), and a plain line every half second."""
PER_TASK_LINE = "Finished in state"
TEXT = "Amara Okafor joined Northwind Traders Ltd. in Lagos on 3 March 2024."
PTY_TIMEOUT_SECONDS = 180


def progress_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("progress: ")]


def small_folder(tmp_path: Path) -> Path:
    """Two sample documents and an empty file (rejected)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("01-news-merger.txt", "03-support-ticket.txt"):
        shutil.copy(SAMPLE_DOCUMENTS / name, folder / name)
    (folder / "empty.txt").write_text("")
    return folder


async def task_run_logs(flow_run_id: UUID, timeout: float = 20.0) -> list[str]:
    """The messages of the flow run's task-run logs stored by the Prefect API, polled until some arrive."""
    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while True:
            logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            messages = [log.message for log in logs if log.task_run_id is not None]
            if messages or time.monotonic() > deadline:
                return messages
            await asyncio.sleep(0.5)


def test_plain_progress_lines_and_no_per_task_lines_while_the_api_keeps_them(
        tmp_path: Path, enrichment_server: EnrichmentServer) -> None:
    result = run_python("-m", "agentic_kit", "run", str(small_folder(tmp_path)), "--json",
                        env={**PRINTING_EVERY_TASK, "AGENTIC_ENRICHMENT_URL": enrichment_server.url})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    statuses = [outcome["status"] for outcome in report["outcomes"]]
    assert sorted(statuses) == ["processed", "processed", "rejected"]

    lines = progress_lines(result.stderr)
    print(f"{len(lines)} progress lines; the last: {lines[-1] if lines else None}")
    assert lines, result.stderr[-3000:]
    calls = report["usage"]["calls"]
    assert calls == 6, "three model steps each for the two documents"
    assert lines[-1].startswith(
        f"progress: 3/3 documents (0 failed, 1 rejected, 0 waiting for review), {calls} model calls, ")
    assert lines[-1].endswith(", finished")
    assert PER_TASK_LINE not in result.stdout + result.stderr

    flow_run_id = UUID(report["flow_run_url"].rstrip("/").rsplit("/", 1)[1])
    shipped = asyncio.run(task_run_logs(flow_run_id))
    print(f"{len(shipped)} task-run log lines in the Prefect API")
    assert sum(PER_TASK_LINE in message for message in shipped) >= 6


def test_verbose_prints_the_per_task_lines_and_a_failed_document_exits_1() -> None:
    nothing_listens = f"http://127.0.0.1:{free_port()}"
    result = run_python("-m", "agentic_kit", "run", "--text", TEXT, "--verbose",
                        env={**PRINTING_EVERY_TASK, "AGENTIC_ENRICHMENT_URL": nothing_listens})
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 documents: 0 processed, 0 rejected, 1 failed" in result.stdout
    assert PER_TASK_LINE in result.stderr
    lines = progress_lines(result.stderr)
    assert lines and lines[-1].startswith("progress: 1/1 documents (1 failed, 0 rejected, 0 waiting for review)")


def test_a_terminal_gets_the_live_bar_with_the_verbose_lines_above_it(
        tmp_path: Path, enrichment_server: EnrichmentServer) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    controller, terminal = pty.openpty()
    env = {**os.environ, **PRINTING_EVERY_TASK, "TERM": "xterm-256color", "COLUMNS": "200", "LINES": "40",
           "AGENTIC_ENRICHMENT_URL": enrichment_server.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "agentic_kit", "run", "--text", TEXT, "--path", str(empty), "--verbose"],
        cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    os.close(terminal)
    screen = read_until_closed(controller)
    assert process.wait(timeout=PTY_TIMEOUT_SECONDS) == 0, screen[-3000:]
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    assert re.search(r"documents\s.*━.*2/2 0 failed, 1 rejected, 0 waiting for review · 3 model calls", plain), \
        plain[-3000:]
    assert "progress: " not in plain, "no plain lines on a terminal"
    assert f"store-document[{empty}]' - {PER_TASK_LINE}" in plain, "a task name in brackets is printed as it is"
    assert "Logging error" not in plain


def read_until_closed(controller: int) -> str:
    """Everything written to a pseudo-terminal until its last writer closes it (or PTY_TIMEOUT_SECONDS pass)."""
    chunks = []
    deadline = time.monotonic() + PTY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not select.select([controller], [], [], 1.0)[0]:
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks).decode(errors="replace")


def test_a_folder_that_is_not_there_is_one_line_and_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(tmp_path / "missing")])
    assert result.exit_code == EXIT_NOT_FOUND
    assert f"no folder at {tmp_path / 'missing'}" in result.output
