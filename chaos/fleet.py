"""Chaos on the fleet: the faulted servers, a document batch over the workers, workers SIGKILLed, the server
restarted once, then the audit.

The batch runs on this host (`python -m flows.document_batch`), its children on the workers. Each kill takes a
worker that runs a child, whole (its process tree and its namespace), once the child has had model calls answered;
a replacement worker starts on the same host a few seconds later. Half-way through the kills, the Prefect
server is stopped and started again on its database. A child that lost its worker is run again by the batch.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from agentic_kit.testing import RequestLog
from bench.documents import write_documents
from bench.environment import free_port
from chaos.audit import PublishAudit, audit, input_documents
from chaos.figures import request_figures
from chaos.settings import PIPELINE_FIGURES, ChaosSettings
from chaos.upstreams import upstreams
from deployments.fleet.fleet import Fleet, clear_redis, drop_databases
from deployments.fleet.processes import alive, process_tree
from deployments.fleet.topology import Topology

CHAOS_REDIS_DB = 13
REPLACEMENT_DELAY_SECONDS = 5.0
"""How long a killed worker's host stays down before a replacement worker starts there."""
CALLS_BETWEEN_KILLS = 15
"""Model answers between one kill and the next, so each kill falls in a child's work."""
BATCH_SIZE = 10


def chaos_topology(root: Path, workers: int) -> Topology:
    """A fleet of its own: other ports, databases, Redis databases, namespaces and subnet than `make fleet`."""
    return Topology.from_settings(folder=root / "fleet", workers=workers, worker_limit=1,
                                  api_port=free_port(), object_store_port=free_port(),
                                  database=f"agentic_fleet_chaos_{os.getpid()}", redis_db=CHAOS_REDIS_DB,
                                  name="agc", subnet="10.233.0", heartbeat_timeout_seconds=45)


def _workers_running_children(fleet: Fleet) -> list[int]:
    """Workers whose process tree holds a flow run (a child at work)."""
    busy = []
    for number, worker in fleet.workers.items():
        if alive(worker) and len(process_tree(worker.pid)) > 1:
            busy.append(number)
    return busy


def _break_things(fleet: Fleet, batch: subprocess.Popen[bytes], model_log: RequestLog, settings: ChaosSettings,
                  rng: random.Random, started: float) -> tuple[int, int]:
    """Kill workers at work (replacing each), restart the server once, until the batch ends; (kills, restarts)."""
    kills = restarts = 0
    next_kill_at = CALLS_BETWEEN_KILLS
    while batch.poll() is None and time.monotonic() - started < settings.run_timeout_seconds:
        answered = len(model_log.ok())
        busy = _workers_running_children(fleet)
        if kills < settings.kills and answered >= next_kill_at and busy:
            number = rng.choice(busy)
            fleet.kill_worker(number)
            kills += 1
            next_kill_at = answered + CALLS_BETWEEN_KILLS
            time.sleep(REPLACEMENT_DELAY_SECONDS)
            fleet.start_worker(number)
            if restarts == 0 and kills >= max(1, settings.kills // 2):
                fleet.restart_server()
                restarts += 1
        time.sleep(0.5)
    return kills, restarts


def run_fleet_chaos(settings: ChaosSettings, workers: int, say: Any = print) -> tuple[dict[str, Any], PublishAudit]:
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="agentic-fleet-chaos-"))
    topology = chaos_topology(root, workers)
    clear_redis(topology)
    fleet = Fleet(topology, say=say)
    fleet.prepare_network()
    rng = random.Random(settings.seed)
    inputs = input_documents(write_documents(root / "documents", settings.documents, seed=settings.seed))
    say(f"chaos on the fleet: {settings.documents} documents, {workers} workers, {settings.kills} worker kills, "
        f"1 server restart, fault rate {settings.fault_rate:.2f}; scratch folder {root}")
    with upstreams(settings, topology.host) as servers:
        fleet.topology = topology = replace(topology, extra_env={
            **servers.environment(), **PIPELINE_FIGURES, "AGENTIC_INGEST_ROOTS": str(root / "documents")})
        try:
            fleet.start()
            env = {**fleet.client_environment(), "PREFECT_HOME": str(root / "client")}
            log = (root / "batch.log").open("w")
            batch = subprocess.Popen([sys.executable, "-m", "flows.document_batch", str(root / "documents"),
                                      "--batch-size", str(BATCH_SIZE)], env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                kills, restarts = _break_things(fleet, batch, servers.model.log, settings, rng, started)
            finally:
                if batch.poll() is None:
                    batch.kill()
                batch.wait()
                log.close()
            headline = (root / "batch.log").read_text(errors="replace").strip().splitlines()[-1:]
            say(f"batch: exit {batch.returncode}: {headline[0] if headline else 'no output'}")
            result = audit(inputs, topology.store_url, None, servers.sink)
        finally:
            for line in fleet.stop():
                say(line)
            drop_databases(topology)
    figures = {
        "documents": result.documents, **request_figures(servers),
        "published": len(result.published), "dead_letters": len(result.dead_letters),
        "lost": len(result.lost), "duplicated": len(result.duplicated),
        "workers": workers, "worker_kills": kills, "server_restarts": restarts,
        "batch_exit_code": batch.returncode, "problem_documents": result.details,
        "seconds": round(time.monotonic() - started, 1),
    }
    return figures, result
