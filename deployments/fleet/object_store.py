"""The S3-compatible object store of the fleet: moto in server mode, one bucket for the results and the code.

moto keeps its objects in memory: it stands in for a real S3 (or MinIO) on one machine, and loses everything when
stopped. Its request log (one line a request, as an HTTP server logs it) shows who read and wrote what.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx

from deployments.fleet import processes
from deployments.fleet.topology import BUCKET, OBJECT_STORE_KEY, OBJECT_STORE_SECRET, Topology

STARTUP_TIMEOUT_SECONDS = 60
REQUEST_LINE = re.compile(r'^(?P<client>\S+) - - \[[^\]]+\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" '
                          r'(?P<status>\d{3})')


@dataclass(frozen=True)
class ObjectRequest:
    """One request the object store answered."""

    client: str
    method: str
    path: str
    status: int


def start_object_store(topology: Topology, env: dict[str, str]) -> processes.Started:
    """Start moto's S3 server on the fleet's address and wait until it answers."""
    log = topology.folder / "object-store.log"
    started = processes.start("object store", [sys.executable, "-m", "moto.server", "-H", topology.host,
                                               "-p", str(topology.object_store_port)], env, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            httpx.get(topology.object_store_url, timeout=2)
            return started
        except httpx.HTTPError:
            if not processes.alive(started):
                break
            time.sleep(0.3)
    raise SystemExit(f"The object store did not start at {topology.object_store_url}; its log: {log}")


def s3_client(topology: Topology):  # unannotated: boto3 builds its client classes at run time
    return boto3.client("s3", endpoint_url=topology.object_store_url, aws_access_key_id=OBJECT_STORE_KEY,
                        aws_secret_access_key=OBJECT_STORE_SECRET, region_name="us-east-1")


def ensure_bucket(topology: Topology) -> None:
    client = s3_client(topology)
    if BUCKET not in {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=BUCKET)


def object_requests(log: Path) -> list[ObjectRequest]:
    """Every request in the object store's log, oldest first."""
    if not log.exists():
        return []
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if match := REQUEST_LINE.match(line):
            found.append(ObjectRequest(match["client"], match["method"], match["path"], int(match["status"])))
    return found
