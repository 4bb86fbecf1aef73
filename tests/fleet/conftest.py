"""One fleet for the fleet tests: its own PostgreSQL databases, Redis databases, ports and network namespaces, a
model server and a publish receiver on the fleet's host address; everything stopped by pid at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from agentic_kit.testing import ModelServer, PublishSink
from deployments.fleet.fleet import Fleet, clear_redis, drop_databases
from deployments.fleet.topology import Topology
from tests.conftest import free_port
from tests.support.postgres import postgres_answers

MODEL_NAME = "fleet-model"
TEST_REDIS_DB = 13
"""The fleet's messaging on Redis database 13, its step locks on 14, the server's docket on 15 (flushed first)."""


@dataclass
class FleetUnderTest:
    fleet: Fleet
    model: ModelServer
    sink: PublishSink
    inbox: Path

    def environment(self) -> dict[str, str]:
        """A host command's environment pointed at the fleet (its own PREFECT_HOME)."""
        return {**self.fleet.client_environment(), "PREFECT_HOME": str(self.fleet.topology.folder / "client")}


@pytest.fixture(scope="package")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetUnderTest]:
    if not postgres_answers():
        pytest.fail("the fleet needs PostgreSQL on 127.0.0.1:5432")
    root = tmp_path_factory.mktemp("fleet")
    inbox = root / "inbox"
    inbox.mkdir()
    topology = Topology.from_settings(folder=root / "state", workers=2, worker_limit=1, api_port=free_port(),
                                      object_store_port=free_port(), database=f"agentic_fleet_test_{os.getpid()}",
                                      redis_db=TEST_REDIS_DB, name="agt", subnet="10.232.0",
                                      heartbeat_timeout_seconds=45)
    clear_redis(topology)
    fleet = Fleet(topology, say=print)
    fleet.prepare_network()
    with ModelServer().on(topology.host) as model, PublishSink().on(topology.host) as sink:
        fleet.topology = topology = replace(topology, extra_env={
            "AGENTIC_MODEL_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": f"{model.url}/v1",
            "OPENAI_API_KEY": "fleet", "AGENTIC_MODEL": MODEL_NAME, "AGENTIC_PUBLISH_WEBHOOK_URL": sink.notify_url,
            "AGENTIC_INGEST_ROOTS": str(inbox), "PREFECT_LOGGING_LEVEL": "INFO",
        })
        try:
            fleet.start()
            yield FleetUnderTest(fleet, model, sink, inbox)
        finally:
            for line in fleet.stop():
                print(line)
            drop_databases(topology)
