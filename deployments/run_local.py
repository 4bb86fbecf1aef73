"""The document pipeline once on the embedded default: what `agentic run` and `make run` do.

Ensures a Prefect server, starts the bundled enrichment service on a free port unless AGENTIC_ENRICHMENT_URL names
one, and runs the pipeline in this process (the offline model unless one is configured, the SQLite store unless
AGENTIC_DATABASE_URL says otherwise), showing its progress (agentic_kit/_operate/run_progress.py) instead of Prefect's
per-task console lines (agentic_kit/_operate/console_logs.py). Printing the report is the command's business.
"""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_kit import PROJECT_EXAMPLES, Settings
from agentic_kit.operate import bundled_enrichment_service, ensure_server

if TYPE_CHECKING:
    from prefect.states import State

SAMPLE_DOCUMENTS = PROJECT_EXAMPLES / "documents"
def run_documents(folder: str | None = None, paths: list[str] | None = None, texts: list[str] | None = None,
                  urls: list[str] | None = None, language_model: str | None = None,
                  verbose: bool = False) -> State[Any]:
    """Run the document pipeline once over its input (the sample documents when none is given), showing its
    progress; its final state, whose result is the report."""
    if not (folder or paths or texts or urls):
        folder = str(SAMPLE_DOCUMENTS)
    named = [folder, *(str(Path(path).parent) for path in paths or [])]
    if any(named):  # what a person named on the command line is a root of this run (the working directory is none)
        os.environ["AGENTIC_INGEST_ROOTS"] = Settings().ingest_roots_with(*named)
    os.environ["PREFECT_API_URL"] = ensure_server(Path(os.environ.get("PREFECT_HOME", ".prefect")))
    os.environ.setdefault("AGENTIC_MODEL_PROVIDER", "offline")
    # Prefect reads its settings once, when first imported: everything that imports it comes after the lines above.
    from agentic_kit.operate import RunTally, show_run_logs, showing_progress, watching

    show_run_logs(verbose)
    with ExitStack() as stack:
        if not os.environ.get("AGENTIC_ENRICHMENT_URL"):
            os.environ["AGENTIC_ENRICHMENT_URL"] = stack.enter_context(bundled_enrichment_service())
        from flows.document_pipeline import document_pipeline

        tally = RunTally()
        with watching(tally), showing_progress(tally):
            return asyncio.run(document_pipeline(folder, paths, texts, urls=urls, language_model=language_model,
                                                 return_state=True))
