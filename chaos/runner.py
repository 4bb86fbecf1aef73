"""One pipeline run as a subprocess, `python -m flows.document_pipeline FOLDER`, SIGKILLed when its trigger fires.

The kit's chaos harness runs and kills it (agentic_kit/_operate/chaos/runner.py); what is the document pipeline's
own is its command line and the headline its report prints.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agentic_kit._operate.chaos.runner import ProcessRun, run_killable

HEADLINE = re.compile(r"\d+ documents: \d+ processed, \d+ rejected, \d+ failed; .*")
"""The report line the pipeline prints at the end of a run (tasks/documents/report.py)."""


@dataclass(frozen=True)
class RunResult(ProcessRun):
    """A pipeline run's end, with its report's headline (when it printed one) and its log."""

    headline: str | None
    log: Path


def run_pipeline(folder: Path, cwd: Path, env: dict[str, str], log: Path, timeout: float,
                 kill_when: Callable[[], bool] | None = None) -> RunResult:
    """Run the pipeline over folder to its end, or SIGKILL it (its whole process group) once kill_when() is true."""
    run = run_killable([sys.executable, "-m", "flows.document_pipeline", str(folder)], env, log, None, timeout,
                       kill_when, cwd=cwd)
    found = HEADLINE.findall(log.read_text(errors="replace"))
    return RunResult(run.killed, run.returncode, run.started, run.ended, found[-1] if found else None, log)
