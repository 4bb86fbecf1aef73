"""Child processes of a bench session: pipeline and baseline runs, each with its own log and state."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_kit._operate.scratch_postgres import scratch_database
from bench.procfs import wait_until_idle
from bench.servers import Upstreams

REPO_ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_SECONDS = 3600
PIPELINE = "bench.pipeline_run"
BASELINE = "bench.baseline"
PEER_DATABASE_VARIABLE = "AGENTIC_PEER_DATABASE_URL"
"""The PostgreSQL database a peer with a durable store of its own keeps it in."""


def snapshot(destination: Path) -> Path:
    """A copy of the repository's code folders, so edits made while the bench runs change nothing it measures."""
    for entry in REPO_ROOT.iterdir():
        if entry.is_dir() and not entry.name.startswith(".") and next(entry.rglob("*.py"), None):
            ignore = shutil.ignore_patterns("__pycache__", "results")
            shutil.copytree(entry, destination / entry.name, ignore=ignore)
    return destination


@dataclass
class Child:
    """A running `python -m bench.…` process and the file its stderr goes to."""

    process: subprocess.Popen[str]
    log: Path

    def finish(self) -> dict[str, Any]:
        """Wait for the end and parse the JSON line printed last; fail with the log's tail otherwise."""
        stdout, _ = self.process.communicate(timeout=RUN_TIMEOUT_SECONDS)
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        if self.process.returncode != 0 or not lines:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.process.args!r} ended {self.process.returncode}; {self.log} ends:\n{tail}")
        figures: dict[str, Any] = json.loads(lines[-1])
        return figures


@dataclass
class Session:
    """What every measurement shares: a scratch folder, a code snapshot, the upstreams, the Prefect server."""

    root: Path
    code: Path
    upstreams: Upstreams
    server_pid: int
    _count: int = field(default=0)
    _databases: ExitStack = field(default_factory=ExitStack)

    def _next(self) -> int:
        """A number no other run of this session has."""
        self._count += 1
        return self._count

    def fresh_state(self, offline: bool = False) -> dict[str, str]:
        """Environment for a run with its own result storage, SQLite store and export folder, so no cache leaks."""
        state = self.root / f"state-{self._next()}"
        return {
            **self.upstreams.environment(offline),
            "PREFECT_LOCAL_STORAGE_PATH": str(state / "results"),
            "AGENTIC_DATABASE_URL": f"sqlite:///{state / 'store.db'}",
            "AGENTIC_EXPORT_FOLDER": str(state / "exports"),
            "AGENTIC_LOCK_URL": f"file:{state / 'locks'}",
        }

    def peer_state(self) -> dict[str, str]:
        """A fresh state with its own PostgreSQL database as well (dropped when the session closes), for the peers
        that keep their durable state there (DBOS, LangGraph), at `PEER_DATABASE_VARIABLE`."""
        url = self._databases.enter_context(scratch_database("bench_peer"))
        return {**self.fresh_state(), PEER_DATABASE_VARIABLE: url}

    def close(self) -> None:
        """Drop the peers' databases."""
        self._databases.close()

    def start(self, module: str, folder: Path, environment: dict[str, str], width: int) -> Child:
        """Start `python -m module folder --concurrency width` in the snapshot once the Prefect server is idle."""
        self.drain()
        log = self.root / f"run-{self._next()}-{module.rsplit('.', 1)[-1]}.log"
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", module, str(folder), "--concurrency", str(width)],
                cwd=self.code, env={**os.environ, **environment}, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )
        return Child(process, log)

    def drain(self) -> None:
        """Wait until the Prefect server has worked off what earlier runs sent it."""
        wait_until_idle(self.server_pid)

    def run(self, module: str, folder: Path, environment: dict[str, str], width: int) -> dict[str, Any]:
        """Run a child to the end and return the figures it printed."""
        return self.start(module, folder, environment, width).finish()
