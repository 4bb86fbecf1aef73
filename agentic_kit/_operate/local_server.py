"""Make sure a Prefect API answers: the one PREFECT_API_URL names, or a local server started in the background.

A server started here is recorded (pid, API URL, command line) in PREFECT_HOME/agentic-server.pid, so that
`agentic server stop` stops exactly that process, by its pid, once its command line is checked in /proc.

Imports nothing from Prefect, so it can run (and set PREFECT_API_URL) before Prefect reads its settings.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

DEFAULT_API_URL = "http://127.0.0.1:4200/api"
STARTUP_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20
LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0"}
CLIENT_AUTH_VARIABLE = "PREFECT_API_AUTH_STRING"
"""`user:password` every Prefect client sends (our commands, workers, the gateway); when set, the local server
requires it."""
SERVER_AUTH_VARIABLE = "PREFECT_SERVER_API_AUTH_STRING"
SERVER_RECORD = "agentic-server.pid"
"""The JSON record of the server ensure_server started, under PREFECT_HOME. Not Prefect's own `server.pid`: that
one holds a bare pid, `prefect server start --background` refuses to start while it exists and `prefect server
stop` reads it."""
KILL_WAIT_SECONDS = 5

_started_here: str | None = None


def api_answers(api_url: str) -> bool:
    """Whether a Prefect API answers its health check at this URL."""
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def server_command(api_url: str) -> list[str]:
    """`prefect server start` on the host and port of api_url."""
    parsed = urlparse(api_url)
    return [sys.executable, "-m", "prefect", "server", "start",
            "--host", parsed.hostname or "127.0.0.1", "--port", str(parsed.port or 4200)]


def server_environment(api_url: str, home: Path, database_url: str | None = None) -> dict[str, str]:
    """The server's environment: its home, its UI's API URL, basic auth on when PREFECT_API_AUTH_STRING is set,
    SQLite under PREFECT_HOME or the database_url given."""
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_API_URL": api_url,
    }
    auth = os.environ.get(CLIENT_AUTH_VARIABLE)
    if auth:  # one setting turns auth on: the server asks for what every client of ours sends
        env[SERVER_AUTH_VARIABLE] = auth
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    return env


def start_local_server(api_url: str, home: Path, database_url: str | None = None) -> subprocess.Popen[bytes]:
    """Start `prefect server start` in the background (its own session, log in PREFECT_HOME)."""
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "ab")  # noqa: SIM115 - handed to the server process for its lifetime
    return subprocess.Popen(
        server_command(api_url), env=server_environment(api_url, home, database_url),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )


def wait_until_answering(api_url: str, running: Callable[[], bool], log: Path) -> None:
    """Wait for the server's health check; fail with the log's tail if it dies (running() is false) or takes too
    long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if api_answers(api_url):
            return
        if not running():
            break
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise SystemExit(f"The local Prefect server did not start at {api_url}. Its log ({log}) ends with:\n{tail}")


@contextmanager
def running_server(api_url: str, home: Path, database_url: str | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A local server at api_url for as long as the block lasts, stopped by its pid at the end."""
    process = start_local_server(api_url, home, database_url)
    try:
        wait_until_answering(api_url, lambda: process.poll() is None, home / "server.log")
        yield process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Stop a process we started, by its pid: SIGTERM, and SIGKILL if it is still there after timeout seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ensure_server(home: Path) -> str:
    """The API URL to use, starting a local server when nothing answers at a local address."""
    api_url = os.environ.get("PREFECT_API_URL") or DEFAULT_API_URL
    if api_answers(api_url):
        return api_url
    if urlparse(api_url).hostname not in LOCAL_HOSTS:
        raise SystemExit(f"No Prefect API answers at PREFECT_API_URL={api_url}: start that server or unset it.")
    print(f"Starting a local Prefect server at {api_url} (log: {home / 'server.log'}) …", file=sys.stderr, flush=True)
    process = start_local_server(api_url, home)
    record = record_server(home, process.pid, api_url)
    try:
        wait_until_answering(api_url, lambda: process.poll() is None, home / "server.log")
    except SystemExit:
        if process.poll() is not None:  # it died: nothing to stop (one still starting stays recorded, for stop)
            forget_server(home, record)
        raise
    global _started_here
    _started_here = api_url
    return api_url


def started_server() -> str | None:
    """The API URL of the server ensure_server started in this process, if it started one."""
    return _started_here


@dataclass(frozen=True)
class RecordedServer:
    """A server ensure_server started in the background: its pid, API URL and command line."""

    pid: int
    api_url: str
    command: list[str]
    started_at: float


def server_record(home: Path) -> Path:
    """Where the server ensure_server started is recorded."""
    return home / SERVER_RECORD


def record_server(home: Path, pid: int, api_url: str) -> RecordedServer:
    """Record the server start_local_server just started (written whole, then renamed into place)."""
    record = RecordedServer(pid=pid, api_url=api_url, command=server_command(api_url), started_at=time.time())
    path = server_record(home)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(asdict(record)) + "\n")
    partial.replace(path)
    return record


def recorded_server(home: Path) -> RecordedServer | None:
    """The recorded server, or None when there is no record or it cannot be read."""
    try:
        data = json.loads(server_record(home).read_text())
        return RecordedServer(pid=int(data["pid"]), api_url=str(data["api_url"]),
                              command=[str(arg) for arg in data["command"]], started_at=float(data["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_server(home: Path, record: RecordedServer | None = None) -> None:
    """Remove the record (only if it is still this one, when record is given)."""
    if record is None or recorded_server(home) == record:
        server_record(home).unlink(missing_ok=True)


def command_line(pid: int) -> list[str] | None:
    """A live process's command line from /proc; None when there is no such process or it is a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"] or not raw:
        return None
    return raw.rstrip(b"\0").decode(errors="replace").split("\0")


def is_running(record: RecordedServer) -> bool:
    """Whether the recorded pid is alive and is that `prefect server start`: its command line is the one recorded."""
    found = command_line(record.pid)
    if found is None or found != record.command:
        return False
    return any(found[index:index + 3] == ["prefect", "server", "start"] for index in range(len(found)))


def _signal(pid: int, signum: signal.Signals) -> None:
    """Signal the server (and its process group: it leads its own session, started so)."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _wait_gone(record: RecordedServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(record):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_recorded_server(home: Path, timeout: float = STOP_TIMEOUT_SECONDS) -> RecordedServer | None:
    """Stop the server ensure_server recorded: SIGTERM, SIGKILL after timeout seconds; the record is removed.

    Only a live pid whose command line is the recorded `prefect server start` is signalled: a stale record (the pid
    gone, or now some other process) is removed and None returned. Nothing is ever looked up by name.
    """
    record = recorded_server(home)
    if record is None:
        forget_server(home)
        return None
    if not is_running(record):
        forget_server(home, record)
        return None
    _signal(record.pid, signal.SIGTERM)
    if not _wait_gone(record, timeout):
        _signal(record.pid, signal.SIGKILL)
        _wait_gone(record, KILL_WAIT_SECONDS)
    forget_server(home, record)
    return record


def main() -> None:
    """Print the API URL once one answers."""
    print(ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect"))))


if __name__ == "__main__":
    main()
