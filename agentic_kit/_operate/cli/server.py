"""`agentic server`: the Prefect server `agentic run` (and `make run`) started in the background, stopped by its pid.

    agentic server status [--json]
    agentic server stop [--json]

`agentic run` starts `prefect server start` when no Prefect API answers and records its pid, API URL and command
line in PREFECT_HOME/agentic-server.pid (agentic_kit/_operate/local_server.py). `stop` signals that pid only once
/proc shows it is still that `prefect server start` (never a process found by its name): SIGTERM, SIGKILL after
20 s, then the record is removed. A server started some other way is left alone.

Imports nothing from Prefect (see app.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agentic_kit._operate.cli.output import console, print_json
from agentic_kit._operate.local_server import (
    DEFAULT_API_URL,
    api_answers,
    is_running,
    recorded_server,
    stop_recorded_server,
)

app = typer.Typer(no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]
NONE_RUNNING = "no Prefect server started by agentic run is running"


def _home() -> Path:
    """PREFECT_HOME, as `agentic run` uses it."""
    return Path(os.environ.get("PREFECT_HOME", ".prefect"))


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command()
def stop(json: Json = False) -> None:
    """Stop the Prefect server `agentic run` started in the background (by its recorded pid); exit 0 either way."""
    stopped = stop_recorded_server(_home())
    if json:
        print_json({"stopped": stopped is not None, "pid": stopped.pid if stopped else None,
                    "api_url": stopped.api_url if stopped else None})
    elif stopped is None:
        _say(NONE_RUNNING)
    else:
        _say(f"stopped the Prefect server (pid {stopped.pid}, {stopped.api_url})")


@app.command()
def status(json: Json = False) -> None:
    """Whether a Prefect server runs, its API URL, and whether `agentic run` started it."""
    record = recorded_server(_home())
    if record is not None and is_running(record):
        api_url, pid, ours = record.api_url, record.pid, True
        running = True
    else:
        api_url, pid, ours = os.environ.get("PREFECT_API_URL") or DEFAULT_API_URL, None, False
        running = api_answers(api_url)
    if json:
        print_json({"running": running, "api_url": api_url, "pid": pid, "started_by_agentic_run": ours,
                    "answers": api_answers(api_url) if ours else running})
    elif ours:
        answering = "" if api_answers(api_url) else ", not answering yet"
        _say(f"the Prefect server started by agentic run is running at {api_url} (pid {pid}{answering})")
    elif running:
        _say(f"a Prefect server answers at {api_url} (not started by agentic run: agentic server stop leaves it)")
    else:
        _say(f"no Prefect server is running at {api_url}")
