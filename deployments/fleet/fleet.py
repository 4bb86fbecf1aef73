"""A whole fleet on one machine: start it, stop it, kill a worker, restart the server; its state in fleet.json.

Start order: the databases, the network (namespaces, bridge, relay), the object store, the Prefect server, the
bootstrap (blocks, queues, automations, deployments whose code is pushed to the object store), then the workers.
Everything started is recorded by pid in `<fleet folder>/fleet.json` as soon as it runs, so `make fleet-stop`
stops exactly that, even after a start that failed half-way.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

from agentic_kit.operate import server_command, server_environment, wait_until_answering
from deployments.bootstrap import WORK_POOL
from deployments.fleet import network, processes
from deployments.fleet.object_store import ensure_bucket, start_object_store
from deployments.fleet.topology import NAMESPACES, REDIS_DATABASES, Topology

Say = Callable[[str], None]
STATE_FILE = "fleet.json"
WORKER_STOP_SECONDS = 30.0


def _quiet(_: str) -> None:
    return None


class Fleet:
    """The processes of one fleet, by role; `workers` maps a worker's number to its process."""

    def __init__(self, topology: Topology, say: Say = _quiet) -> None:
        self.topology, self.say = topology, say
        self.started: dict[str, processes.Started] = {}
        self.workers: dict[int, processes.Started] = {}
        self.namespaces: list[int] = []

    # --- state -------------------------------------------------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.topology.folder / STATE_FILE

    def _save(self) -> None:
        state = {"started": {role: p.as_json() for role, p in self.started.items()},
                 "workers": {str(n): p.as_json() for n, p in self.workers.items()},
                 "namespaces": self.namespaces, "network": self.topology.network, "name": self.topology.name}
        self.state_file.write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, topology: Topology, say: Say = _quiet) -> Fleet:
        """The fleet recorded in the topology's folder (nothing when none was started there)."""
        fleet = cls(topology, say)
        if fleet.state_file.exists():
            state = json.loads(fleet.state_file.read_text())
            fleet.started = {role: processes.Started(**p) for role, p in state["started"].items()}
            fleet.workers = {int(n): processes.Started(**p) for n, p in state["workers"].items()}
            fleet.namespaces = state["namespaces"]
        return fleet

    def auth(self) -> str:
        """The API's `user:password`, made once per fleet folder and kept there (readable by its owner only)."""
        path = self.topology.auth_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"fleet:{secrets.token_urlsafe(18)}")
            path.chmod(0o600)
        return path.read_text().strip()

    def client_environment(self) -> dict[str, str]:
        """This process's environment pointed at the fleet, for commands run on the host."""
        return {**os.environ, **self.topology.client_environment(self.auth())}

    # --- start -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start every part of the fleet that is not running yet."""
        topology = self.topology
        topology.folder.mkdir(parents=True, exist_ok=True)
        self.say(f"fleet folder {topology.folder}; network: {topology.network}")
        for which in ("prefect", "store"):
            self.say(ensure_database(topology, which))
        self.prepare_network()
        if topology.network == NAMESPACES:
            self._start_once("relay", lambda: processes.start(
                "relay", [sys.executable, "-m", "deployments.fleet.relay", topology.host,
                          str(topology.postgres_port), str(topology.redis_port)],
                dict(os.environ), topology.folder / "relay.log"))
        self._start_once("object store", lambda: start_object_store(topology, dict(os.environ)))
        ensure_bucket(topology)
        self._start_once("server", self._start_server)
        self.bootstrap()
        for number in range(1, topology.workers + 1):
            if number not in self.workers or not processes.alive(self.workers[number]):
                self.start_worker(number)

    def prepare_network(self) -> None:
        """The host's fleet address (the bridge), so servers can listen on it before the workers exist."""
        if self.topology.network == NAMESPACES:
            network.create_bridge(self.topology)

    def _start_once(self, role: str, starter: Callable[[], processes.Started]) -> None:
        running = self.started.get(role)
        if running is not None and processes.alive(running):
            self.say(f"{role}: running (pid {running.pid})")
            return
        self.started[role] = starter()
        self._save()
        self.say(f"{role}: started (pid {self.started[role].pid}, log {self.started[role].log})")

    def _start_server(self) -> processes.Started:
        topology, home = self.topology, self.topology.folder / "server"
        home.mkdir(parents=True, exist_ok=True)
        env = {**server_environment(topology.api_url, home), **topology.server_environment(self.auth())}
        started = processes.start("server", server_command(topology.api_url), env, home / "server.log")
        self.started["server"] = started
        self._save()
        wait_until_answering(topology.api_url, lambda: processes.alive(started), home / "server.log")
        return started

    def bootstrap(self) -> None:
        """Blocks, queues, limits, automations and deployments on the fleet's server (a subprocess: its settings
        come from the fleet's environment)."""
        result = subprocess.run([sys.executable, "-m", "deployments.fleet.bootstrap", self.topology.object_store_url],
                                env={**self.client_environment(), "PREFECT_HOME": str(self.topology.folder / "client")},
                                capture_output=True, text=True, check=False)
        log = self.topology.folder / "bootstrap.log"
        log.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise SystemExit(f"The fleet's bootstrap failed; its output ({log}) ends with:\n{log.read_text()[-3000:]}")
        self.say(f"bootstrap: done (log {log})")

    def start_worker(self, number: int) -> processes.Started:
        """Worker number: a process worker on the pool, on its own host when the fleet uses namespaces."""
        topology = self.topology
        for folder in (topology.worker_home(number), topology.worker_folder(number)):
            folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", WORK_POOL, "--type", "process",
                   "--name", topology.worker_name(number), "--limit", str(topology.worker_limit)]
        if topology.network == NAMESPACES:
            network.create_worker_host(topology, number)
            if number not in self.namespaces:
                self.namespaces.append(number)
            command = network.in_namespace(topology, number, command)
        env = {**os.environ, **topology.worker_environment(number, self.auth())}
        log = topology.folder / "workers" / str(number) / "worker.log"
        self.workers[number] = processes.start(f"worker {number}", command, env, log, cwd=topology.worker_folder(number))
        self._save()
        where = f"namespace {topology.namespace(number)}, {topology.worker_address(number)}" \
            if topology.network == NAMESPACES else "127.0.0.1"
        self.say(f"worker {number}: started (pid {self.workers[number].pid}, {where}, log {log})")
        return self.workers[number]

    # --- faults ------------------------------------------------------------------------------------------------

    def kill_worker(self, number: int) -> int:
        """SIGKILL worker number's whole host: its process tree and anything else in its namespace."""
        extra = network.namespace_pids(self.topology.namespace(number)) if number in self.namespaces else []
        killed = processes.kill(self.workers[number], extra)
        self.say(f"worker {number}: SIGKILLed ({killed} processes)")
        return killed

    def restart_server(self) -> None:
        """Stop the Prefect server and start it again on the same database."""
        self.say(processes.stop(self.started["server"]))
        self._start_server()
        self.say(f"server: restarted (pid {self.started['server'].pid})")

    # --- stop --------------------------------------------------------------------------------------------------

    def stop(self) -> list[str]:
        """Stop the workers, then the server, the object store and the relay, then remove the namespaces."""
        done = [processes.stop(worker, WORKER_STOP_SECONDS) for worker in self.workers.values()]
        for role in ("server", "object store", "relay"):
            if role in self.started:
                done.append(processes.stop(self.started[role]))
        for number in self.namespaces:
            network.remove_worker_host(self.topology, number)
        if self.topology.network == NAMESPACES:
            network.remove_bridge(self.topology)
        self.workers, self.started, self.namespaces = {}, {}, []
        if self.state_file.exists():
            self.state_file.unlink()
        return done


def _admin_connection(topology: Topology) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://{topology.postgres_user}@{topology.postgres_address}/postgres",
                           autocommit=True)


def clear_redis(topology: Topology) -> None:
    """Empty the fleet's Redis databases (messaging, step locks, docket): a throwaway fleet's, at its start."""
    for offset in range(REDIS_DATABASES):
        redis.Redis(host=topology.redis_host, port=topology.redis_port, db=topology.redis_db + offset).flushdb()


def drop_databases(topology: Topology) -> None:
    """Drop the fleet's databases (a throwaway fleet's, at its end)."""
    with _admin_connection(topology) as db:
        for which in ("prefect", "store"):
            db.execute(f'DROP DATABASE IF EXISTS "{topology.database}_{which}" WITH (FORCE)')


def ensure_database(topology: Topology, which: str) -> str:
    """Create the fleet's `<database>_<which>` database unless it exists."""
    name = f"{topology.database}_{which}"
    with _admin_connection(topology) as db:
        if db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return f"database {name}: exists"
        db.execute(f'CREATE DATABASE "{name}"')
    return f"database {name}: created"
