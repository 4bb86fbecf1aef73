"""`make run`: the embedded default on one machine, no keys.

Ensures a Prefect server, starts the bundled enrichment service on a free port, runs the document
pipeline over the sample documents with the offline model and the SQLite store, and prints the report.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deployments.local_server import ensure_server, stop_process

SAMPLE_DOCUMENTS = "examples/documents"
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
def enrichment_service() -> Iterator[str]:
    """The bundled enrichment service on a free local port, for as long as the block lasts."""
    url = f"http://127.0.0.1:{free_port(PREFERRED_SERVICE_PORT)}"
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.enrichment_service", "--port", url.rsplit(":", 1)[1]],
        stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + SERVICE_STARTUP_TIMEOUT_SECONDS
        while not _answers(f"{url}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The enrichment service did not start; run `python -m examples.enrichment_service`.")
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


def main() -> None:
    """Run the pipeline once over a folder (the samples by default) and print its report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", default=SAMPLE_DOCUMENTS)
    args = parser.parse_args()
    os.environ["PREFECT_API_URL"] = ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect")))
    with enrichment_service() as url:
        os.environ.setdefault("AGENTIC_ENRICHMENT_URL", url)
        sys.argv = [sys.argv[0], args.folder]
        from flows.document_pipeline import main as run_pipeline

        run_pipeline()


if __name__ == "__main__":
    main()
