"""Step locks across machines: Prefect's Redis lock manager with a lease its holder renews (see step_locks).

A module of its own so that Redis and prefect_redis are imported only by a process whose AGENTIC_LOCK_URL names
Redis: every flow-run process imports the step policies, and most of them lock on this machine's disk.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from prefect_redis.locking import RedisLockManager
from redis.exceptions import LockError, RedisError

from agentic_kit._steps.step_locks import POLL_SECONDS

RENEWALS_PER_LEASE = 3
"""A Redis lock's holder renews its lease this many times per lease."""


class LeasedRedisLockManager(RedisLockManager):
    """Prefect's Redis lock manager, but every lock carries a lease (Prefect's transactions ask for none) that its
    holder renews while it lives, so the lock of a holder that died lapses within one lease; for workers on
    several machines."""

    def __init__(self, connection_url: str, lease_seconds: float) -> None:
        super().__init__(connection_url=connection_url)
        self.lease_seconds = lease_seconds

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "lease_seconds": self.lease_seconds}

    def acquire_lock(self, key: str, holder: str, acquire_timeout: float | None = None,
                     hold_timeout: float | None = None) -> bool:
        acquired = super().acquire_lock(key, holder, acquire_timeout, hold_timeout or self.lease_seconds)
        if acquired:
            self._keep_renewing()
        return acquired

    async def aacquire_lock(self, key: str, holder: str, acquire_timeout: float | None = None,
                            hold_timeout: float | None = None) -> bool:
        """Poll with the synchronous client: Prefect releases locks synchronously, and an asyncio lock's
        release is a coroutine a synchronous caller never awaits (the lock would stay taken)."""
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        while not self.acquire_lock(key, holder, 0, hold_timeout):
            if deadline is not None and time.monotonic() > deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    def _keep_renewing(self) -> None:
        """Start, once per process, the thread that renews the leases of the locks this process holds."""
        if getattr(self, "_renewer", None) is None:
            self._renewer = threading.Thread(target=self._renew_forever, name="step-lock-leases", daemon=True)
            self._renewer.start()

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self.lease_seconds / RENEWALS_PER_LEASE)
            for lock in list(self._locks.values()):
                try:
                    lock.reacquire()  # every lock here is a synchronous one
                except (LockError, RedisError):
                    pass  # released meanwhile, or Redis is briefly away: the next round tries again
