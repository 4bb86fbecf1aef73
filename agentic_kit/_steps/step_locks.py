"""Lock managers for Prefect's SERIALIZABLE isolation: one worker computes a step, the others wait for its result.

Prefect's own file lock manager keeps a lock whose holder was killed until the lock expires, and a
transaction takes its locks without an expiry, so one SIGKILL would block every later run. Here, on
one machine, a lock is an `flock` the operating system drops when its holder dies; across machines
it is a Redis lock with a lease its holder renews, so a dead holder's lock lapses within `lock_lease_seconds`
(agentic_kit/_steps/redis_locks.py, imported only when the lock URL names Redis).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

from prefect.locking.protocol import LockManager

POLL_SECONDS = 0.02
"""How often a waiting holder tries a taken lock again."""


class ProcessFileLockManager(LockManager):
    """Locks as `flock`ed files in one folder: shared by every process of the machine, freed when a holder dies."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._prefix = os.path.join(self.folder, "")
        self._held: dict[str, tuple[str, int]] = {}
        self._guard = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["folder"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProcessFileLockManager) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)

    def _path(self, key: str) -> str:
        return f"{self._prefix}{hashlib.sha256(key.encode()).hexdigest()}.lock"

    def _open(self, path: str) -> int:
        """The lock file, created (with its folder, the first time) when missing."""
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            self.folder.mkdir(parents=True, exist_ok=True)
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    def _try_acquire(self, key: str, holder: str) -> bool:
        """Take the lock without waiting; True when holder has it now."""
        with self._guard:
            if key in self._held:
                return self._held[key][0] == holder
            path = self._path(key)
            fd = self._open(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if not current:
                os.close(fd)  # the file was unlinked by a releasing holder: try the new one
                return False
            self._held[key] = (holder, fd)
            return True

    def acquire_lock(self, key: str, holder: str, acquire_timeout: float | None = None,
                     hold_timeout: float | None = None) -> bool:
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        while not self._try_acquire(key, holder):
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    async def aacquire_lock(self, key: str, holder: str, acquire_timeout: float | None = None,
                            hold_timeout: float | None = None) -> bool:
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        while not self._try_acquire(key, holder):
            if deadline is not None and time.monotonic() > deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    def release_lock(self, key: str, holder: str) -> None:
        with self._guard:
            held = self._held.get(key)
            if held is None or held[0] != holder:
                raise ValueError(f"No lock held by {holder} on {key}")
            del self._held[key]
            try:
                os.unlink(self._path(key))
            except FileNotFoundError:
                pass
            fcntl.flock(held[1], fcntl.LOCK_UN)
            os.close(held[1])

    def is_locked(self, key: str) -> bool:
        with self._guard:
            if key in self._held:
                return True
        probe = f"probe-{threading.get_ident()}-{time.monotonic_ns()}"
        if self._try_acquire(key, probe):
            self.release_lock(key, probe)
            return False
        return True

    def is_lock_holder(self, key: str, holder: str) -> bool:
        with self._guard:
            return key in self._held and self._held[key][0] == holder

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.is_locked(key):
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    async def await_for_lock(self, key: str, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.is_locked(key):
            if deadline is not None and time.monotonic() > deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True


def lock_manager_for(url: str, lease_seconds: float) -> LockManager | None:
    """The lock manager a lock URL names: `file:FOLDER`, `redis://HOST:PORT/DB`, or `none` for no locking."""
    if url == "none":
        return None
    if url.startswith("file:"):
        return ProcessFileLockManager(Path(url.removeprefix("file:")).expanduser().absolute())
    if url.startswith(("redis://", "rediss://")):
        from agentic_kit._steps.redis_locks import LeasedRedisLockManager

        return LeasedRedisLockManager(url, lease_seconds)
    raise ValueError(f"AGENTIC_LOCK_URL must be file:FOLDER, redis://HOST:PORT/DB or none, not {url!r}")
