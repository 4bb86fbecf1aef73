"""One pipeline run as a subprocess, `python -c RUN_SCRIPT ENTRYPOINT ITEMS`, SIGKILLed when its trigger fires.

A subprocess, because a SIGKILL must hit a whole process: no `finally`, no flush, no goodbye to the Prefect API.
It runs in its own session (process group), so the kill takes anything it started too, and it is killed by its
pid, never by a name. The script imports the pipeline as the command did, awaits `pipeline.run(items)` and prints
the report's headline, then the report as JSON on its last line, which is how the session reads the outcome of
each item; a run that printed no report (killed, or crashed) has none. `run_killable` runs any other command the
same way (a project's own chaos run starts its pipeline's command line with it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.02
"""How often a running pipeline's kill trigger is checked."""
RUN_SCRIPT = textwrap.dedent("""
    import asyncio, importlib, json, os, sys
    sys.path.insert(0, os.getcwd())
    entrypoint, items_file = sys.argv[1], sys.argv[2]
    module, _, attribute = entrypoint.partition(":")
    pipeline = getattr(importlib.import_module(module), attribute)
    with open(items_file, encoding="utf-8") as lines:
        items = [pipeline.item_type.model_validate_json(line) for line in lines if line.strip()]
    report = asyncio.run(pipeline.run(items))
    print(report.headline(), flush=True)
    print(json.dumps(report.model_dump(mode="json")), flush=True)
    raise SystemExit(1 if report.count("failed") else 0)
""")
"""What a run executes: the pipeline on every item, then its report's headline and the report as JSON."""


class RunTimedOut(RuntimeError):
    """A pipeline run went on past the session's run timeout (it was killed)."""


@dataclass(frozen=True)
class ProcessRun:
    """How one killable subprocess ended: killed by the session, or exited with a code."""

    killed: bool
    returncode: int
    started: float
    ended: float
    """time.time() when the run ended: for a killed run, the moment the SIGKILL was sent."""

    @property
    def seconds(self) -> float:
        """How long the run took."""
        return self.ended - self.started

    @property
    def outcome(self) -> str:
        """`killed` or `exit N`."""
        return "killed" if self.killed else f"exit {self.returncode}"


@dataclass(frozen=True)
class RunResult(ProcessRun):
    """A pipeline run's end, with its report (when it printed one) and its output files."""

    report: dict[str, Any] | None
    stdout: Path
    stderr: Path


def printed_report(stdout: Path) -> dict[str, Any] | None:
    """The report a run printed as JSON on a line of its own (the last such line), or None."""
    for line in reversed(stdout.read_text(errors="replace").splitlines()):
        if not line.startswith("{"):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "outcomes" in value and "pipeline" in value:
            return value
    return None


def run_killable(command: list[str], env: dict[str, str], stdout: Path, stderr: Path | None, timeout: float,
                 kill_when: Callable[[], bool] | None = None,
                 quiet: Callable[[], AbstractContextManager[None]] = nullcontext,
                 cwd: Path | None = None) -> ProcessRun:
    """Run a command in its own session to its end, or SIGKILL it once kill_when() is true, inside quiet().

    Its output goes to stdout, its errors to stderr (None: to stdout too); past timeout it is killed and
    RunTimedOut raised."""
    started = time.time()
    with stdout.open("w") as out, (stderr.open("w") if stderr else nullcontext(None)) as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err or subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    killed_at: float | None = None
    try:
        while process.poll() is None:
            if kill_when is not None and kill_when():
                with quiet():
                    if process.poll() is None:  # it may have ended while the upstreams settled
                        killed_at = time.time()
                        _kill(process)
                break
            if time.time() - started > timeout:
                _kill(process)
                raise RunTimedOut(f"a run was still going after {timeout:.0f} s; its log: {stderr or stdout}")
            time.sleep(POLL_SECONDS)
    finally:
        if process.poll() is None:
            _kill(process)
    process.wait()
    return ProcessRun(killed_at is not None, process.returncode, started, killed_at or time.time())


def run_pipeline(entrypoint: str, items_file: Path, env: dict[str, str], stdout: Path, stderr: Path,
                 timeout: float, kill_when: Callable[[], bool] | None = None,
                 quiet: Callable[[], AbstractContextManager[None]] = nullcontext) -> RunResult:
    """Run the pipeline on the items to its end, or SIGKILL it once kill_when() is true, inside quiet()."""
    run = run_killable([sys.executable, "-c", RUN_SCRIPT, entrypoint, str(items_file)], env, stdout, stderr,
                       timeout, kill_when, quiet)
    return RunResult(run.killed, run.returncode, run.started, run.ended,
                     None if run.killed else printed_report(stdout), stdout, stderr)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and anything it started (its own process group, by its pid), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
