"""`agentic chaos ENTRYPOINT --items FILE.jsonl`: any kit pipeline under faults and SIGKILLs, then audited.

    agentic chaos flows.ticket_triage:ticket_triage --items examples/tickets.jsonl [--kills 2] [--fault-rate 0.3]
                  [--seed 0] [--json]

Starts a model server and an enrichment server that fail --fault-rate of their requests (429, 500, slow, dropped,
garbage JSON), runs the pipeline on the items in a subprocess, SIGKILLs it --kills times and reruns it with the same
store and result storage, runs it once more to the end, and audits every item (processed, a dead letter, or lost)
and every request (a tool answer delivered twice, a model answer paid twice). Prints a line a run, a table and
`chaos: pipeline=… items=N faults=F kills=K lost=0 duplicated=0 repeated_calls=0`; `--json` prints the figures as
one JSON object instead (the progress lines go to stderr). Exits 1 when an item was lost or a tool call duplicated.

The session's files (store, result storage, locks, run logs) are in a scratch folder, removed when the session is
clean unless --keep. The Prefect API is PREFECT_API_URL's, else a local server (started when none answers): it is
chosen before anything imports Prefect, which reads its settings when first imported.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agentic_kit._operate.cli.output import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    console,
    fail,
    print_json,
    use_local_server,
)

TABLE_WIDTH = 120
"""The table's least width, so it stays readable in a CI log or under make."""


def chaos(
    entrypoint: Annotated[str, typer.Argument(
        help="The pipeline as module:attribute, e.g. flows.ticket_triage:ticket_triage (imported from here).")],
    items: Annotated[Path, typer.Option("--items", help="A JSON Lines file: one item of the pipeline a line.")],
    kills: Annotated[int, typer.Option("--kills", min=0, help="SIGKILLs of the running pipeline.")] = 2,
    fault_rate: Annotated[float, typer.Option("--fault-rate", min=0.0, max=1.0,
                                              help="Share of model and enrichment requests that fail.")] = 0.3,
    seed: Annotated[int, typer.Option("--seed", help="Seeds the faults and the kill points.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the scratch folder (kept anyway on failure).")] = False,
    run_timeout: Annotated[float | None, typer.Option("--run-timeout", min=1.0,
                                                      help="Seconds one run may take (default 600).")] = None,
) -> None:
    """Run a pipeline under faults and SIGKILLs and audit what became of each item."""
    if not items.is_file():
        fail(f"--items {items}: no such file", EXIT_NOT_FOUND)
    use_local_server()
    # Prefect reads its settings when first imported: the session (which imports it) comes once the API is chosen.
    from agentic_kit._operate.chaos.report import figures, final_line, print_table
    from agentic_kit._operate.chaos.runner import RunTimedOut
    from agentic_kit._operate.chaos.session import run_chaos
    from agentic_kit._operate.chaos.settings import ChaosSettings, ChaosUsageError
    from agentic_kit._operate.chaos.target import load_target

    try:
        settings = ChaosSettings(entrypoint=entrypoint, items=items, kills=kills, fault_rate=fault_rate, seed=seed,
                                 **({"run_timeout_seconds": run_timeout} if run_timeout else {}))
        target = load_target(entrypoint, items)
    except ChaosUsageError as exc:
        fail(str(exc), EXIT_USAGE)
    root = Path(tempfile.mkdtemp(prefix="agentic-chaos-"))
    stream = sys.stderr if as_json else sys.stdout  # with --json, stdout carries the JSON object only

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    try:
        result = run_chaos(settings, target, root, say)
    except RunTimedOut as exc:
        fail(f"{exc} (scratch folder kept: {root})", EXIT_FAILED)
    values = figures(result)
    if result.ok and not keep:
        shutil.rmtree(root, ignore_errors=True)
        values["scratch"] = None
    else:
        say(f"scratch folder kept: {root}")
    if as_json:
        print_json(values)
    else:
        print_table(values, Console(width=max(TABLE_WIDTH, console.width)))
        print(final_line(values), flush=True)
    raise SystemExit(EXIT_OK if result.ok else EXIT_FAILED)
