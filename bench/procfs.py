"""What /proc (Linux) says about a process and its descendants: resident memory and CPU time."""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import Self

SAMPLE_SECONDS = 0.2
IDLE_SHARE = 0.15
"""A process tree using less than this share of one core is idle."""
IDLE_WINDOW_SECONDS = 1.0
IDLE_TIMEOUT_SECONDS = 300.0
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                pending += [int(child) for child in f.read().split()]
        except OSError:
            pass
    return found


def _read(path: str) -> str:
    """A /proc file's text, empty when the process is gone."""
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def tree_rss_mb(pid: int) -> float:
    """The summed resident set size of pid and its descendants, in MiB."""
    pages = sum(int(statm.split()[1]) for p in _tree(pid) if (statm := _read(f"/proc/{p}/statm")))
    return pages * _PAGE / 2**20


def tree_cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) pid and its descendants have used so far."""
    ticks = 0
    for p in _tree(pid):
        if stat := _read(f"/proc/{p}/stat"):
            fields = stat.rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICKS


def wait_until_idle(pid: int) -> float:
    """Wait until the tree works less than IDLE_SHARE of a core over a window; return the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < IDLE_TIMEOUT_SECONDS:
        before = tree_cpu_seconds(pid)
        time.sleep(IDLE_WINDOW_SECONDS)
        if tree_cpu_seconds(pid) - before < IDLE_SHARE * IDLE_WINDOW_SECONDS:
            break
    return time.monotonic() - started


class PeakRss:
    """`with PeakRss(pid) as peak:` samples the tree's RSS until the block ends; `peak.mb` is the highest."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name=f"peak-rss:{pid}", daemon=True)

    def _sample(self) -> None:
        """Keep the highest reading until told to stop."""
        while True:
            self.mb = max(self.mb, tree_rss_mb(self.pid))
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def __enter__(self) -> Self:
        """Start sampling."""
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop sampling, with one last reading."""
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, tree_rss_mb(self.pid))
