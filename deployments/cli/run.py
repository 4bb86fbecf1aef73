"""`agentic run`: the document pipeline once, as `make run` does it (deployments/run_local.py), with its report.

While it works, a live bar on a terminal or a plain line every few seconds elsewhere (agentic_kit/_operate/run_progress.py);
Prefect's per-task lines go to the Prefect API and UI, and to the console only with `--verbose`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agentic_kit.operate import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    fail,
    print_json,
    started_server,
)

LEFT_RUNNING = ("the Prefect server keeps running in the background: agentic server stop (or make server-stop) "
                "stops it")


def run(
    folder: Annotated[str | None, typer.Argument(help="A folder of documents (default: the sample documents).")] = None,
    path: Annotated[list[str] | None, typer.Option(help="A document file (repeatable).")] = None,
    text: Annotated[list[str] | None, typer.Option(help="An inline document (repeatable).")] = None,
    url: Annotated[list[str] | None, typer.Option(help="A document to fetch (repeatable).")] = None,
    language_model: Annotated[str | None, typer.Option(
        help="A saved Language Model block (default: the environment, else the offline model).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Print Prefect's log line of every task run too.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run the document pipeline once and print its report; exit 1 when a document failed."""
    if folder and not Path(folder).is_dir():
        fail(f"no folder at {folder}", EXIT_NOT_FOUND)
    for missing in (p for p in path or [] if not Path(p).is_file()):
        fail(f"no file at {missing}", EXIT_NOT_FOUND)
    from deployments.run_local import run_documents

    try:
        state = run_documents(folder, path, text, url, language_model, verbose)
    except SystemExit as stopped:  # the Prefect server or the enrichment service did not answer
        if not isinstance(stopped.code, str):
            raise
        fail(stopped.code.splitlines()[0], EXIT_UNAVAILABLE)
    from tasks.documents.report import PipelineReport, print_report

    report = state.result(raise_on_failure=False)
    if not isinstance(report, PipelineReport):
        fail(f"the run ended {state.name} without a report: {state.message}")
    if json:
        print_json(report.model_dump(mode="json"))
    else:
        print_report(report)
    if started_server():  # after the run's link; on stderr with --json, whose stdout is the report alone
        print(LEFT_RUNNING, file=sys.stderr if json else sys.stdout, flush=True)
    raise typer.Exit(EXIT_OK if state.is_completed() else EXIT_FAILED)
