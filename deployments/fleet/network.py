"""Each worker as its own host: a network namespace joined to the host by a veth link on one bridge.

The host holds the bridge's address (`<subnet>.1`): the Prefect server, the object store and the relay to
PostgreSQL and Redis listen there. Worker N's namespace has `<subnet>.(10+N)` and its own loopback, and reaches
nothing else. Needs root and iproute2; `make fleet` falls back to loopback without them.
"""

from __future__ import annotations

import subprocess

from deployments.fleet.topology import Topology


def _ip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"`ip {' '.join(arguments)}` failed: {result.stderr.strip()}")
    return result


def bridge_name(topology: Topology) -> str:
    return f"{topology.name}br0"


def create_bridge(topology: Topology) -> None:
    """The host's side of the fleet network: a bridge holding the host's address."""
    bridge = bridge_name(topology)
    if _ip("link", "show", bridge, check=False).returncode == 0:
        return
    _ip("link", "add", bridge, "type", "bridge")
    _ip("addr", "add", f"{topology.host}/24", "dev", bridge)
    _ip("link", "set", bridge, "up")


def create_worker_host(topology: Topology, number: int) -> str:
    """Worker number's namespace, linked to the bridge; returns the namespace's name."""
    namespace = topology.namespace(number)
    host_end, worker_end = f"{topology.name}w{number}h", f"{topology.name}w{number}n"
    remove_worker_host(topology, number)
    _ip("netns", "add", namespace)
    _ip("link", "add", host_end, "type", "veth", "peer", "name", worker_end)
    _ip("link", "set", worker_end, "netns", namespace)
    _ip("link", "set", host_end, "master", bridge_name(topology), "up")
    _ip("-n", namespace, "addr", "add", f"{topology.worker_address(number)}/24", "dev", worker_end)
    _ip("-n", namespace, "link", "set", worker_end, "up")
    _ip("-n", namespace, "link", "set", "lo", "up")
    return namespace


def namespace_pids(namespace: str) -> list[int]:
    """Every process running in a namespace (a whole worker host)."""
    result = _ip("netns", "pids", namespace, check=False)
    return [int(pid) for pid in result.stdout.split()] if result.returncode == 0 else []


def remove_worker_host(topology: Topology, number: int) -> None:
    """Delete worker number's namespace (its veth link goes with it)."""
    _ip("netns", "delete", topology.namespace(number), check=False)
    _ip("link", "delete", f"{topology.name}w{number}h", check=False)


def remove_bridge(topology: Topology) -> None:
    _ip("link", "delete", bridge_name(topology), check=False)


def in_namespace(topology: Topology, number: int, command: list[str]) -> list[str]:
    """The command as run on worker number's host."""
    return ["ip", "netns", "exec", topology.namespace(number), *command]
