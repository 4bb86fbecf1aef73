"""One pipeline run as a subprocess, `python -m flows.document_pipeline FOLDER`, SIGKILLed when its trigger fires."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.02
"""How often a running pipeline's kill trigger is checked."""
HEADLINE = re.compile(r"\d+ documents: \d+ processed, \d+ rejected, \d+ failed; .*")
"""The report line the pipeline prints at the end of a run (tasks/documents/report.py)."""


class RunTimedOut(RuntimeError):
    """A pipeline run went on past the session's run timeout (it was killed)."""


@dataclass(frozen=True)
class RunResult:
    """How one run ended: killed by us, or exited with a code (and its report's headline, when it printed one)."""

    killed: bool
    returncode: int
    seconds: float
    headline: str | None
    log: Path

    @property
    def ended(self) -> str:
        return "killed" if self.killed else f"exit {self.returncode}"


def run_pipeline(folder: Path, cwd: Path, env: dict[str, str], log: Path, timeout: float,
                 kill_when: Callable[[], bool] | None = None) -> RunResult:
    """Run the pipeline over folder to its end, or SIGKILL it (its whole process group) once kill_when() is true."""
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.document_pipeline", str(folder)], cwd=cwd, env=env,
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    killed = False
    try:
        while process.poll() is None:
            if kill_when is not None and kill_when():
                _kill(process)
                killed = True
                break
            if time.monotonic() - started > timeout:
                _kill(process)
                raise RunTimedOut(f"the pipeline run was still going after {timeout:.0f} s; its log: {log}")
            time.sleep(POLL_SECONDS)
    finally:
        if process.poll() is None:
            _kill(process)
    seconds = time.monotonic() - started
    found = HEADLINE.findall(log.read_text(errors="replace"))
    return RunResult(killed, process.returncode, seconds, found[-1] if found else None, log)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and anything it started (its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
