"""Where a document's CPU goes: `python -m bench.cpu_profile` (about 2 minutes).

One pipeline run of the bench's 200 documents, 16 at once, at 0 ms upstream latency (the bench's servers and its
Prefect server), under `py-spy record --gil` (only samples of a thread holding the GIL, so waiting threads do not
count), then every sample sorted into one piece of the work by the frames it holds (the first rule that matches).
Prints the table bench/README.md shows: share of the samples and CPU ms a document. `--raw PATH` keeps py-spy's raw
samples there (a stack and its count a line), for a closer look.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.environment import prefect_server, prepare

ROOT = prepare()  # before anything reads Prefect's settings; the child inherits the environment

from bench.documents import write_documents
from bench.runs import Session, snapshot
from bench.servers import upstreams

DOCUMENTS = 200
WIDTH = 16
SAMPLES_PER_SECOND = 250
PIECES: list[tuple[str, Callable[[str], bool]]] = [
    ("importing modules (once a process)", lambda stack: "_find_and_load" in stack),
    ("publish: the document's rows, export, publish log", lambda stack: any(
        frame in stack for frame in ("publish_document", "saga_log.py", "documents/publish.py"))),
    ("cache index rows (queued to the record writer)", lambda stack: "cache_index.py" in stack),
    ("usage row of each model call", lambda stack: "ModelUsageRow" in stack or "add_durably" in stack),
    ("the record writer's batches; call rows, exchanges (queued)", lambda stack: any(
        frame in stack for frame in ("record_writer.py", "observe.py", "exchanges.py"))),
    ("circuit breaker", lambda stack: "circuit_breaker.py" in stack and "limited_call" not in stack),
    ("model client: request and parse (openai, httpx)", lambda stack: "model_clients.py" in stack),
    ("enrichment client (httpx)", lambda stack: "enrichment_api.py" in stack),
    ("model steps: Prefect's task engine, cache key, budget, locks", lambda stack: "model_step.py" in stack),
    ("tool step (enrich): Prefect's task engine, limits", lambda stack: "tool_step.py" in stack),
    ("ingest and text extraction", lambda stack: "ingest.py" in stack or "text_extraction.py" in stack),
    ("the flow's own per-document code", lambda stack: "flows/document_pipeline.py" in stack),
    ("Prefect outside the steps: flow engine, API client, events, logs", lambda stack: "prefect/" in stack),
]
"""Each piece of the work and how its samples are recognised, in the order they are tried."""


def pieces(raw: Path) -> tuple[Counter[str], int]:
    """Samples by piece, and all samples, from py-spy's raw output (a stack and its count a line)."""
    counted: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        total += int(count)
        piece = next((label for label, holds in PIECES if holds(stack)), "other: event loop, threads, gc")
        counted[piece] += int(count)
    return counted, total


def main() -> None:
    """Profile one run and print the table."""
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if py_spy is None:
        raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
    raw = ROOT / "profile.txt"
    with prefect_server() as server, upstreams(0.0) as servers:
        session = Session(ROOT, snapshot(ROOT / "code"), servers, server.pid)
        folder = write_documents(ROOT / "documents", DOCUMENTS)
        session.drain()
        subprocess.run([py_spy, "record", "--gil", "--format", "raw", "--rate", str(SAMPLES_PER_SECOND),
                        "--output", str(raw), "--", sys.executable, "-m", "bench.pipeline_run", str(folder),
                        "--concurrency", str(WIDTH)],
                       cwd=session.code, env={**os.environ, **session.fresh_state()}, check=True,
                       capture_output=True)
    if "--raw" in sys.argv:
        shutil.copy(raw, sys.argv[sys.argv.index("--raw") + 1])
    counted, total = pieces(raw)
    seconds = total / SAMPLES_PER_SECOND
    print(f"{DOCUMENTS} documents, {WIDTH} at once, 0 ms: {seconds:.1f} s of GIL time in the flow process, "
          f"{seconds / DOCUMENTS * 1000:.0f} ms a document\n")
    print("| piece | share | CPU ms a document |\n| --- | --- | --- |")
    for piece, samples in counted.most_common():
        print(f"| {piece} | {samples / total:.0%} | {samples / SAMPLES_PER_SECOND / DOCUMENTS * 1000:.1f} |")
    shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
