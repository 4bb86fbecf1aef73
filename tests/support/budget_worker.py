"""A worker process for the ledger's contention test: many leases at once against one shared budget.

Run as `python -m tests.support.budget_worker DATABASE_URL WORKDIR WORKER_ID`. It writes `ready-<worker>` in
WORKDIR, waits for the test to write `go`, takes RESERVATIONS leases for a call of RESERVATION_USD from THREADS threads
at once, and prints how many the ledger admitted.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from agentic_kit._blocks.budget_leases import take_lease
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.store import PipelineStore

PIPELINE = "document-pipeline"
BUDGET = ModelBudget(pipeline=PIPELINE, max_usd=1.05)
PERIOD_START = datetime(2026, 3, 15, tzinfo=UTC)
RESERVATIONS = 20
RESERVATION_USD = 0.1
THREADS = 4
GO_TIMEOUT_SECONDS = 60


def main(url: str, workdir: Path, worker: str) -> None:
    store = PipelineStore(database_url=SecretStr(url))
    store.engine()  # tables created before the race starts
    (workdir / f"ready-{worker}").touch()
    deadline = time.monotonic() + GO_TIMEOUT_SECONDS
    while not (workdir / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("no go from the test")
        time.sleep(0.005)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        reservations = list(pool.map(lambda _: take_lease(store, BUDGET, PIPELINE, PERIOD_START, 100, RESERVATION_USD),
                                     range(RESERVATIONS)))
    print(sum(reservation is not None for reservation in reservations))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
