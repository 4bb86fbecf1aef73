"""The webhook gateway as users start it (`python -m agentic_kit._operate.webhook_gateway`), in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from agentic_kit._operate.local_server import stop_process
from tests.conftest import REPO_ROOT, free_port

STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class GatewayProcess:
    """A running gateway: its base URL, port, the files its stdout and stderr go to, and its pid."""

    url: str
    port: int
    stdout: Path
    stderr: Path
    pid: int


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], stderr: Path) -> None:
    """Return once /health answers; fail with the gateway's stderr if it exits or does not start in time."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}: {stderr.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the gateway did not answer in {STARTUP_TIMEOUT_SECONDS} s: {stderr.read_text()[-3000:]}")


@contextmanager
def gateway_process(folder: Path, env: dict[str, str], *args: str) -> Iterator[GatewayProcess]:
    """Start the gateway on a free port with env added to the test environment; stop it (by its pid) at the end."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    stdout, stderr = folder / f"gateway-{port}.out", folder / f"gateway-{port}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "agentic_kit._operate.webhook_gateway", "--port", str(port), *args],
            cwd=REPO_ROOT, env={**os.environ, **env}, stdout=out, stderr=err,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, process, stderr)
        yield GatewayProcess(url=url, port=port, stdout=stdout, stderr=stderr, pid=process.pid)
    finally:
        stop_process(process, STOP_TIMEOUT_SECONDS)
