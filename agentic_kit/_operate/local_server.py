"""Make sure a Prefect API answers: the one PREFECT_API_URL names, or a local server started in the background.

Imports nothing from Prefect, so it can run (and set PREFECT_API_URL) before Prefect reads its settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    wait_until_answering(api_url, lambda: process.poll() is None, home / "server.log")
    return api_url


def main() -> None:
    """Print the API URL once one answers."""
    print(ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect"))))


if __name__ == "__main__":
    main()
