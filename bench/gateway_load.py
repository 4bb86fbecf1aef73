"""The webhook gateway under a constant arrival rate of signed deliveries, measured by wrk.

The gateway runs as in production: `python -m agentic_kit._operate.webhook_gateway` in its own process, posting each
delivery's event to the session's Prefect server and remembering delivery ids in its own SQLite store. wrk
(Debian's package) sends from 127.0.0.1 with bench/signed_deliveries.lua, which holds a constant rate the way
wrk2 does and signs every delivery with its own id. Latency is wrk's, from the request's write to the end of
its answer; the script counts sends that left more than 1 ms after their slot, so a gateway that falls behind
shows as late sends rather than as a slower sender.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session as DatabaseSession
from sqlmodel import col, func, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import WebhookDeliveryRow
from agentic_kit._operate.local_server import api_answers, stop_process
from bench.environment import free_port
from bench.procfs import tree_cpu_seconds
from bench.runs import Session

WRK_SCRIPT = Path(__file__).resolve().parent / "signed_deliveries.lua"
RATE_PER_SECOND = 200
DURATION_SECONDS = 30
WRK_THREADS = 2
WRK_CONNECTIONS = 40
"""Connections wrk may have in flight at once: at 200/s they are busy only when an answer takes over 200 ms."""
WRK_TIMEOUT = "5s"
STARTUP_TIMEOUT_SECONDS = 180
WARMUP_DELIVERIES = 20
"""Deliveries sent one at a time before the measurement, so the gateway's first requests pay no cold start."""


@dataclass(frozen=True)
class Gateway:
    """A running gateway process: its URL, pid, signing key and store."""

    url: str
    pid: int
    key: bytes
    store: PipelineStore


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once /health answers; fail with the gateway's log if it exits or does not answer in time."""
    started = time.monotonic()
    while process.poll() is None and time.monotonic() - started < STARTUP_TIMEOUT_SECONDS:
        if api_answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the gateway did not start; {log} ends:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def gateway_process(session: Session, environment: dict[str, str] | None = None) -> Iterator[Gateway]:
    """`python -m agentic_kit._operate.webhook_gateway` on a free port with a fresh secret and store, stopped by pid."""
    key = os.urandom(24)
    database = f"sqlite:///{session.root / f'gateway-{uuid.uuid4().hex[:8]}.db'}"
    env = {**os.environ, **(environment or {}), "AGENTIC_DATABASE_URL": database,
           "AGENTIC_WEBHOOK_SECRET": "whsec_" + base64.b64encode(key).decode()}
    port = free_port()
    log = session.root / f"gateway-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "agentic_kit._operate.webhook_gateway", "--port", str(port)],
                                   cwd=session.code, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, process, log)
        yield Gateway(url, process.pid, key, PipelineStore.model_validate({"database_url": database}))
    finally:
        stop_process(process)


def require_wrk() -> str:
    """wrk's path; a clear error when it is missing."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run `make bench` (it installs Debian's wrk) or apt-get install wrk.")
    return path


def recorded_deliveries(store: PipelineStore) -> tuple[int, int]:
    """Delivery ids the gateway remembered, and how many of them have their event id."""
    with DatabaseSession(store.engine()) as database:
        total = database.exec(select(func.count()).select_from(WebhookDeliveryRow)).one()
        with_event = database.exec(select(func.count()).select_from(WebhookDeliveryRow)
                                   .where(col(WebhookDeliveryRow.event_id).is_not(None))).one()
    return total, with_event


def warm_up(gateway: Gateway) -> None:
    """A few signed deliveries one at a time (wrk at a low rate), so imports and connections are made."""
    _run_wrk(gateway, rate=10, seconds=WARMUP_DELIVERIES // 10, tag="warmup")


def _run_wrk(gateway: Gateway, rate: int, seconds: int, tag: str) -> dict[str, Any]:
    """wrk at this rate for this long; the figures its script printed."""
    command = [require_wrk(), f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", WRK_TIMEOUT,
               "-s", str(WRK_SCRIPT), gateway.url, "--", f"{tag}{uuid.uuid4().hex[:8]}", gateway.key.hex(),
               str(rate / WRK_THREADS), str(WRK_THREADS)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"wrk ended {finished.returncode}: {finished.stdout[-2000:]} {finished.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


def gateway_load(session: Session, rate: int = RATE_PER_SECOND, seconds: int = DURATION_SECONDS) -> dict[str, Any]:
    """The gateway's latency percentiles, errors and achieved rate at `rate` deliveries a second for `seconds`."""
    with gateway_process(session) as gateway:
        warm_up(gateway)
        session.drain()
        before = recorded_deliveries(gateway.store)
        cpu = tree_cpu_seconds(gateway.pid), tree_cpu_seconds(session.server_pid)
        wrk = _run_wrk(gateway, rate, seconds, tag="load")
        cpu = tree_cpu_seconds(gateway.pid) - cpu[0], tree_cpu_seconds(session.server_pid) - cpu[1]
        after = recorded_deliveries(gateway.store)
    duration = wrk["duration_us"] / 1e6
    errors = sum(wrk[kind] for kind in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx"))
    return {
        "gateway_p50_ms": wrk["p50_us"] / 1000,
        "gateway_p95_ms": wrk["p95_us"] / 1000,
        "gateway_p99_ms": wrk["p99_us"] / 1000,
        "gateway_max_ms": wrk["max_us"] / 1000,
        "gateway_rate_per_s": wrk["requests"] / duration,
        "gateway_target_rate_per_s": rate,
        "gateway_requests": wrk["requests"],
        "gateway_errors": errors,
        "gateway_statuses": wrk["statuses"],
        "gateway_late_sends": wrk["late_sends"],
        "gateway_max_send_lag_ms": wrk["max_lag_us"] / 1000,
        "gateway_deliveries_recorded": after[0] - before[0],
        "gateway_events_confirmed": after[1] - before[1],
        "gateway_cpu_share": cpu[0] / duration,
        "gateway_server_cpu_share": cpu[1] / duration,
    }
