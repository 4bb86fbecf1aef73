"""What runs where in a fleet: addresses, ports, databases, names, and the environment each process gets.

One `Topology` describes a whole fleet; `make fleet` builds it from the AGENTIC_FLEET_* settings, the fleet test
builds its own (other ports, databases and names) so both can run on one machine. Every address a worker uses is
the host's: on the bridge of the namespaces (a LAN address, as real workers would use) or 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_kit import PROJECT_EXAMPLES, Settings

NAMESPACES = "namespaces"
LOOPBACK = "loopback"
LOOPBACK_HOST = "127.0.0.1"
URGENT_QUEUE = "urgent"
"""The work queue of higher priority than `default`: its runs start first when workers are busy."""
BUCKET = "agentic-fleet"
RESULTS_FOLDER = "results"
RESULTS_BLOCK = "agentic-fleet-results"
"""The S3 bucket block (prefect-aws) every worker persists results to: the default result storage."""
CREDENTIALS_BLOCK = "agentic-fleet"
"""The AWS credentials block holding the object store's keys and endpoint; the code's pull step names it."""
OBJECT_STORE_KEY = "agentic-fleet"
OBJECT_STORE_SECRET = "agentic-fleet-secret"
"""moto accepts any keys; a real S3 wants the team's own, saved in the credentials block."""
REDIS_DATABASES = 3
"""The fleet's Redis databases from `redis_db` on: the server's messaging, the step locks, the server's docket."""
HEARTBEAT_SECONDS = 30
"""How often a flow run tells the server it is alive (Prefect's minimum)."""
WORKER_QUERY_SECONDS = 2
"""How often a worker asks its work pool for runs."""


def namespaces_available() -> bool:
    """Whether this process may create network namespaces: root, with iproute2's `ip netns`."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    return subprocess.run(["ip", "netns", "list"], capture_output=True, check=False).returncode == 0


@dataclass(frozen=True)
class Topology:
    """One fleet: where its state lives, how its processes reach each other, and how many workers it has."""

    folder: Path
    workers: int
    worker_limit: int
    api_port: int
    object_store_port: int
    database: str
    postgres: str
    redis: str
    redis_db: int
    network: str
    subnet: str
    name: str = "agf"
    """A short prefix for the fleet's network namespaces and links (15 characters at most in all)."""
    heartbeat_timeout_seconds: int = 90
    extra_env: dict[str, str] = field(default_factory=dict)
    """Variables every client of the fleet (the bootstrap, the workers, their flow runs) also gets, e.g. a model
    server's URL, or the ingest roots (by default the fleet's inbox folder and the project's examples: the folders
    every worker can read, as a shared mount would be on real machines)."""

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> Topology:
        """The fleet the AGENTIC_FLEET_* settings describe; `auto` networking resolved on this machine."""
        settings = settings or Settings()
        network = settings.fleet_network
        if network == "auto":
            network = NAMESPACES if namespaces_available() else LOOPBACK
        if network not in (NAMESPACES, LOOPBACK):
            raise SystemExit(f"AGENTIC_FLEET_NETWORK must be auto, {NAMESPACES} or {LOOPBACK}, not {network!r}")
        fields: dict[str, Any] = {
            "folder": Path(settings.fleet_folder).resolve(), "workers": settings.fleet_workers,
            "worker_limit": settings.fleet_worker_limit, "api_port": settings.fleet_api_port,
            "object_store_port": settings.fleet_object_store_port, "database": settings.fleet_database,
            "postgres": settings.fleet_postgres, "redis": settings.fleet_redis, "redis_db": settings.fleet_redis_db,
            "network": network, "subnet": settings.fleet_subnet,
            "heartbeat_timeout_seconds": settings.heartbeat_timeout_seconds,
        }
        fields.update(overrides)
        fields.setdefault("extra_env", {"AGENTIC_INGEST_ROOTS": settings.ingest_roots or os.pathsep.join(
            [str(Path(fields["folder"]) / "inbox"), str(PROJECT_EXAMPLES)])})
        return cls(**fields)

    @property
    def host(self) -> str:
        """The address every fleet process reaches the server and the stores at."""
        return f"{self.subnet}.1" if self.network == NAMESPACES else LOOPBACK_HOST

    def worker_address(self, number: int) -> str:
        return f"{self.subnet}.{10 + number}" if self.network == NAMESPACES else LOOPBACK_HOST

    def worker_name(self, number: int) -> str:
        return f"fleet-worker-{number}"

    def namespace(self, number: int) -> str:
        return f"{self.name}-w{number}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def object_store_url(self) -> str:
        return f"http://{self.host}:{self.object_store_port}"

    @property
    def postgres_user(self) -> str:
        return self.postgres.rsplit("@", 1)[0] if "@" in self.postgres else "postgres"

    @property
    def postgres_address(self) -> str:
        """host:port of the PostgreSQL server itself (workers reach it at the fleet's address)."""
        return self.postgres.rsplit("@", 1)[-1]

    @property
    def postgres_port(self) -> int:
        return int(self.postgres_address.rsplit(":", 1)[1])

    @property
    def redis_host(self) -> str:
        """The Redis server's own host (workers reach it at the fleet's address)."""
        return self.redis.rsplit(":", 1)[0]

    @property
    def redis_port(self) -> int:
        return int(self.redis.rsplit(":", 1)[1])

    def database_url(self, which: str, driver: str = "psycopg", host: str | None = None) -> str:
        """A SQLAlchemy URL of the fleet's `<database>_<which>` database, reached at host (the fleet's address)."""
        return (f"postgresql+{driver}://{self.postgres_user}@{host or self.host}:{self.postgres_port}/"
                f"{self.database}_{which}")

    @property
    def server_database_url(self) -> str:
        """The Prefect server's own database (asyncpg), on the server's machine: the real PostgreSQL address."""
        return self.database_url("prefect", "asyncpg", host=self.postgres_address.rsplit(":", 1)[0])

    @property
    def store_url(self) -> str:
        return self.database_url("store")

    def redis_url(self, offset: int = 0) -> str:
        return f"redis://{self.host}:{self.redis_port}/{self.redis_db + offset}"

    @property
    def auth_file(self) -> Path:
        return self.folder / "api-auth"

    def server_environment(self, auth: str) -> dict[str, str]:
        """The Prefect server's settings: PostgreSQL, Redis messaging, cache, ordering, leases and docket, auth."""
        redis_host = self.redis_host
        return {
            "PREFECT_API_DATABASE_CONNECTION_URL": self.server_database_url,
            "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
            "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
            "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
            "PREFECT_REDIS_MESSAGING_HOST": redis_host,
            "PREFECT_REDIS_MESSAGING_PORT": str(self.redis_port),
            "PREFECT_REDIS_MESSAGING_DB": str(self.redis_db),
            "PREFECT_SERVER_DOCKET_URL": f"redis://{redis_host}:{self.redis_port}/{self.redis_db + 2}",
            "PREFECT_SERVER_API_AUTH_STRING": auth,
            "PREFECT_API_AUTH_STRING": auth,
        }

    def client_environment(self, auth: str) -> dict[str, str]:
        """What every client of the fleet sets: its API, the result storage, the store, the step locks."""
        return {
            "PREFECT_API_URL": self.api_url,
            "PREFECT_API_AUTH_STRING": auth,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK": f"s3-bucket/{RESULTS_BLOCK}",
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS),
            "AGENTIC_HEARTBEAT_TIMEOUT_SECONDS": str(self.heartbeat_timeout_seconds),
            "AGENTIC_DATABASE_URL": self.store_url,
            "AGENTIC_LOCK_URL": self.redis_url(offset=1),
            "AGENTIC_EXPORT_FOLDER": "none",
            **self.extra_env,
        }

    def worker_home(self, number: int) -> Path:
        return self.folder / "workers" / str(number) / "home"

    def worker_folder(self, number: int) -> Path:
        """The worker's working folder: empty at start; the code is pulled into it for each run."""
        return self.folder / "workers" / str(number) / "work"

    def worker_environment(self, number: int, auth: str) -> dict[str, str]:
        return {
            **self.client_environment(auth),
            "PREFECT_HOME": str(self.worker_home(number)),
            "PREFECT_WORKER_QUERY_SECONDS": str(WORKER_QUERY_SECONDS),
        }
