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
    url = f"http://127.0.0.1:{free_port(PREFERRED_SERVICE_PORT)}"
    process = subprocess.Popen(
        [sys.executable, "-m", "agentic_kit.enrichment_service", "--port", url.rsplit(":", 1)[1]],
        stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + SERVICE_STARTUP_TIMEOUT_SECONDS
        while not _answers(f"{url}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The enrichment service did not start; run `python -m agentic_kit.enrichment_service`.")
            time.sleep(0.2)
        yield url
    finally:
        stop_process(process, ENRICHMENT_STOP_SECONDS)


def _answers(url: str) -> bool:
    """Whether a GET on url answers 200."""
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


