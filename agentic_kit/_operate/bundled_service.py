"""The bundled enrichment service as a child process on a free local port, for as long as a command needs it:
`agentic run`, `make research` and a pipeline's own command start it when AGENTIC_ENRICHMENT_URL names none."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from agentic_kit._operate.local_server import stop_process

PREFERRED_SERVICE_PORT = 8765
"""A stable port keeps the enrichment block, and so its cached answers, the same from run to run."""
SERVICE_STARTUP_TIMEOUT_SECONDS = 30
ENRICHMENT_STOP_SECONDS = 10


def free_port(preferred: int = 0) -> int:
    """The preferred TCP port on 127.0.0.1 if nothing listens there, else any free one."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def bundled_enrichment_service() -> Iterator[str]:
    """The bundled enrichment service on a free local port, for as long as the block lasts."""
    url, process = _start(free_port(PREFERRED_SERVICE_PORT))
    if process.poll() is not None:  # another command took the preferred port first: never lean on its service
        url, process = _start(free_port())
        if process.poll() is not None:
            raise SystemExit("The enrichment service did not start; run `python -m agentic_kit.enrichment_service`.")
    try:
        yield url
    finally:
        stop_process(process, ENRICHMENT_STOP_SECONDS)


def _start(port: int) -> tuple[str, subprocess.Popen[bytes]]:
    """The service started on port, once it answers (itself, not another command's service on that port) or its
    process has ended (the port was taken meanwhile)."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "agentic_kit.enrichment_service", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + SERVICE_STARTUP_TIMEOUT_SECONDS
    while process.poll() is None and not _answers(f"{url}/health", process.pid):
        if time.monotonic() > deadline:
            stop_process(process, ENRICHMENT_STOP_SECONDS)
            raise SystemExit("The enrichment service did not start; run `python -m agentic_kit.enrichment_service`.")
        time.sleep(0.2)
    return url, process


def _answers(url: str, pid: int) -> bool:
    """Whether the health check at url answers 200 from the process pid."""
    try:
        response = httpx.get(url, timeout=1)
        return response.status_code == 200 and response.json().get("pid") == pid
    except (httpx.HTTPError, ValueError):
        return False


