"""The fleet's processes, known by pid and start time: started in the background, stopped or killed by pid.

A pid is checked against the start time recorded with it before any signal is sent, so `make fleet-stop` never
signals a process that merely reuses a pid of ours. A worker is stopped with its whole process tree (the flow
runs it started live in sessions of their own).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STOP_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class Started:
    """A background process of the fleet: what it is, its pid, when it started (clock ticks since boot), its log."""

    role: str
    pid: int
    start_ticks: int
    log: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def start_ticks(pid: int) -> int | None:
    """The process's start time (field 22 of /proc/PID/stat), or None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else int(fields[19])


def alive(process: Started) -> bool:
    """Whether the very process we started still runs (not a zombie, not another process with its pid)."""
    return start_ticks(process.pid) == process.start_ticks


def start(role: str, command: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> Started:
    """Start a command in the background, in a session of its own, its output appended to log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    ticks = start_ticks(process.pid)
    if ticks is None:
        raise SystemExit(f"{role} exited at once; its log: {log}")
    return Started(role, process.pid, ticks, str(log))


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    """The pid and every process below it."""
    tree, found, queue = _children(), [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += tree.get(current, [])
    return found


def _signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _reap(pid: int) -> None:
    """Collect the exit status of a child of ours, so it is not left a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        for pid in pids:
            _reap(pid)
        left = [pid for pid in pids if start_ticks(pid) is not None]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def stop(process: Started, timeout: float = STOP_TIMEOUT_SECONDS) -> str:
    """SIGTERM the process and its tree, SIGKILL what is left after timeout; what was done, in words."""
    if not alive(process):
        return f"{process.role} (pid {process.pid}): already gone"
    tree = process_tree(process.pid)
    _signal_all(tree, signal.SIGTERM)
    left = _wait_gone(tree, timeout)
    if left:
        _signal_all(left, signal.SIGKILL)
        _wait_gone(left, timeout)
        return f"{process.role} (pid {process.pid}): killed after {timeout:.0f} s"
    return f"{process.role} (pid {process.pid}): stopped"


def kill(process: Started, extra_pids: list[int] | None = None) -> int:
    """SIGKILL the process, its tree and extra_pids at once, as a machine that loses power; how many died."""
    pids = sorted(set(process_tree(process.pid) if alive(process) else []) | set(extra_pids or []))
    _signal_all(pids, signal.SIGKILL)
    _wait_gone(pids, STOP_TIMEOUT_SECONDS)
    return len(pids)
