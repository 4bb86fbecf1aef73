"""Step locks: one holder at a time, across processes, and a killed holder's lock is free at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentic_kit._steps.step_locks import ProcessFileLockManager, lock_manager_for

HOLD_IN_CHILD = """
import sys, time
from pathlib import Path
from agentic_kit._steps.step_locks import ProcessFileLockManager
assert ProcessFileLockManager(Path(sys.argv[1])).acquire_lock("step", "child")
print("held", flush=True)
time.sleep(600)
"""


def test_one_holder_at_a_time_in_one_process(tmp_path: Path) -> None:
    locks = ProcessFileLockManager(tmp_path)
    assert locks.acquire_lock("step", "first")
    assert locks.acquire_lock("step", "first"), "the holder may take its own lock again"
    assert not locks.acquire_lock("step", "second", acquire_timeout=0.1)
    assert locks.is_locked("step") and locks.is_lock_holder("step", "first")
    locks.release_lock("step", "first")
    assert not locks.is_locked("step")
    assert locks.acquire_lock("step", "second", acquire_timeout=0.1)


def test_a_killed_holder_frees_its_lock(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", HOLD_IN_CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        locks = ProcessFileLockManager(tmp_path)
        assert locks.is_locked("step")
        assert not locks.acquire_lock("step", "parent", acquire_timeout=0.2)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        started = time.monotonic()
        assert locks.acquire_lock("step", "parent", acquire_timeout=5)
        print(f"lock free {time.monotonic() - started:.3f} s after its holder was killed")
    finally:
        child.kill()


def test_lock_urls_name_their_backend(tmp_path: Path) -> None:
    assert lock_manager_for("none", 60) is None
    assert isinstance(lock_manager_for(f"file:{tmp_path}", 60), ProcessFileLockManager)
    with pytest.raises(ValueError, match="AGENTIC_LOCK_URL"):
        lock_manager_for("zookeeper://somewhere", 60)
