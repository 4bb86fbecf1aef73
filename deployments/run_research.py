"""`make research Q="…"`: the research pipeline on the embedded default, on one machine, no keys.

Ensures a Prefect server and the research pipeline's concurrency limits, starts the bundled enrichment
service (the planner's tool), serves the sample documents on 127.0.0.1 and allow-lists that address and
port only (never the Prefect server or anything else on loopback) so the fetch tool may read them (pass
--url to read other pages instead), runs the pipeline with the offline model and the SQLite store, and
prints where the report is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from agentic_kit import Settings
from agentic_kit.operate import bundled_enrichment_service, ensure_server
from tasks.research.plan import MAX_URLS

if TYPE_CHECKING:
    from prefect.states import State

    from tasks.research.report import ResearchReport

SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "documents"
PREFERRED_PAGES_PORT = 8766
"""A stable port keeps the sample URLs, and so the job's key and its cached answers, the same from run to run."""


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to the terminal."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@contextmanager
def sample_pages(count: int) -> Iterator[list[str]]:
    """The URLs of the first count sample documents, served on 127.0.0.1 for as long as the block lasts."""
    handler = partial(_QuietHandler, directory=str(SAMPLES))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", PREFERRED_PAGES_PORT), handler)
    except OSError:  # taken: any free port (the job's key, and so its cache, then differ)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        names = sorted(p.name for p in SAMPLES.iterdir() if p.is_file())[:count]
        yield [f"{base}/{name}" for name in names]
    finally:
        server.shutdown()
        server.server_close()


def allow_sample_pages(urls: list[str]) -> None:
    """Add the server of each url, as host:port, to AGENTIC_FETCH_ALLOWED_HOSTS, so nothing else there opens."""
    allowed = Settings().fetch_allow_list
    served = [netloc for netloc in dict.fromkeys(urlsplit(url).netloc for url in urls) if netloc not in allowed]
    os.environ["AGENTIC_FETCH_ALLOWED_HOSTS"] = ",".join([*allowed, *served])


@contextmanager
def embedded_default(urls: list[str] | None, samples: int) -> Iterator[list[str]]:
    """What the pipeline needs on one machine, for as long as the block lasts: a Prefect server, the research
    limits, the bundled enrichment service and the sample pages (allow-listed when no urls are given); yields the
    urls to read (urls, or the first `samples` sample pages)."""
    os.environ["PREFECT_API_URL"] = ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect")))
    # Prefect reads its settings once, when first imported: everything that imports it comes after the line above.
    from deployments.concurrency import ensure_concurrency_limits

    asyncio.run(ensure_concurrency_limits())
    with bundled_enrichment_service() as enrichment_url, sample_pages(samples) as served:
        os.environ.setdefault("AGENTIC_ENRICHMENT_URL", enrichment_url)
        if not urls:
            allow_sample_pages(served)
        yield urls or served


def research(question: str, urls: list[str] | None = None,
             samples: int = MAX_URLS) -> tuple[State[Any], ResearchReport | None, Path | None]:
    """Research one question on the embedded default: the final state, the report and the file it was written to."""
    with embedded_default(urls, samples) as to_read:
        from flows.research_pipeline import research_once

        return research_once(question, to_read)


def main() -> None:
    """Research one question over the sample documents (or the given URLs) and print where the report is."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("question")
    parser.add_argument("--url", action="append", dest="urls", help="a page to read instead of the samples")
    parser.add_argument("--samples", type=int, default=MAX_URLS, help="how many sample documents to offer")
    args = parser.parse_args()
    state, report, path = research(args.question, args.urls, args.samples)
    if report is None or path is None:
        raise SystemExit(f"The run ended {state.name}: {state.message}")
    from flows.research_pipeline import print_research

    print_research(report, path)
    raise SystemExit(0 if state.is_completed() else 1)


if __name__ == "__main__":
    main()
