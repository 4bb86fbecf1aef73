"""`agentic server stop`: the Prefect server `agentic run` started in the background is stopped by its recorded pid,
and nothing else is: a stale record whose pid is now some other process leaves that process alone."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from agentic_kit._operate.local_server import (
    RecordedServer,
    api_answers,
    command_line,
    recorded_server,
    server_command,
    server_record,
    stop_process,
    stop_recorded_server,
)
from agentic_kit.testing import EnrichmentServer
from deployments.cli.run import LEFT_RUNNING
from tests.conftest import free_port, run_python

pytestmark = pytest.mark.e2e

NONE_RUNNING = "no Prefect server started by agentic run is running"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A PREFECT_HOME of the test's own; whatever server a test leaves recorded there is stopped at the end."""
    prefect_home = tmp_path / "prefect-home"
    try:
        yield prefect_home
    finally:
        stop_recorded_server(prefect_home)


def agentic(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`agentic args…` with PREFECT_HOME at home."""
    return run_python("-m", "agentic_kit", *args, env={"PREFECT_HOME": str(home), **(env or {})})


def test_stop_stops_the_server_ensure_server_started_and_only_once(home: Path) -> None:
    api_url = f"http://127.0.0.1:{free_port()}/api"
    started = run_python("-m", "agentic_kit._operate.local_server",
                         env={"PREFECT_HOME": str(home), "PREFECT_API_URL": api_url})
    assert started.returncode == 0, started.stderr[-3000:]
    assert started.stdout.strip() == api_url
    record = recorded_server(home)
    assert record is not None, "ensure_server records the server it starts"
    assert (record.api_url, record.command) == (api_url, server_command(api_url))
    assert command_line(record.pid) == server_command(api_url), "the recorded pid is that prefect server start"
    assert api_answers(api_url)

    status = agentic(home, "server", "status", "--json")
    assert status.returncode == 0, status.stderr[-3000:]
    assert json.loads(status.stdout) == {"running": True, "api_url": api_url, "pid": record.pid,
                                         "started_by_agentic_run": True, "answers": True}

    stopped = agentic(home, "server", "stop")
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    assert stopped.stdout.strip() == f"stopped the Prefect server (pid {record.pid}, {api_url})"
    assert command_line(record.pid) is None, "the server's process is gone"
    assert not server_record(home).exists()
    assert not api_answers(api_url)

    again = agentic(home, "server", "stop")
    assert (again.returncode, again.stdout.strip()) == (0, NONE_RUNNING)
    again_json = agentic(home, "server", "stop", "--json")
    assert again_json.returncode == 0
    assert json.loads(again_json.stdout) == {"stopped": False, "pid": None, "api_url": None}


def test_a_stale_record_whose_pid_is_another_process_kills_nothing(home: Path) -> None:
    other = subprocess.Popen(["sleep", "60"])
    try:
        api_url = f"http://127.0.0.1:{free_port()}/api"
        for command in (server_command(api_url), ["sleep", "60"]):  # what was recorded; what that pid runs now
            home.mkdir(parents=True, exist_ok=True)
            server_record(home).write_text(json.dumps(
                asdict(RecordedServer(pid=other.pid, api_url=api_url, command=command, started_at=0.0))))

            stopped = agentic(home, "server", "stop")
            assert (stopped.returncode, stopped.stdout.strip()) == (0, NONE_RUNNING), stopped.stderr[-3000:]
            assert other.poll() is None, f"the other process ({command}) was not signalled"
            assert not server_record(home).exists(), "the stale record is removed"
    finally:
        stop_process(other)


def test_agentic_run_says_the_server_it_started_keeps_running(
    home: Path, enrichment_server: EnrichmentServer
) -> None:
    api_url = f"http://127.0.0.1:{free_port()}/api"
    env = {"PREFECT_API_URL": api_url, "AGENTIC_ENRICHMENT_URL": enrichment_server.url}
    first = agentic(home, "run", "--text", "Acme Corp hired Jane Doe in Paris on 3 May 2024.", env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    lines = first.stdout.splitlines()
    link = next(index for index, line in enumerate(lines) if line.startswith("run in the Prefect UI: "))
    assert lines[link + 1:] == [LEFT_RUNNING], "one line, after the run's link"
    record = recorded_server(home)
    assert record is not None and command_line(record.pid) == server_command(api_url)

    second = agentic(home, "run", "--text", "Globex hired John Roe in Oslo on 4 June 2024.", env=env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert LEFT_RUNNING not in second.stdout, "the second run found the server: it started none"

    stopped = agentic(home, "server", "stop")
    assert stopped.stdout.strip() == f"stopped the Prefect server (pid {record.pid}, {api_url})"
    assert command_line(record.pid) is None
