"""The pipeline beside Prefect's floor at 0 ms upstream latency: wall time, the flow process's CPU and the Prefect
server's CPU per document, for ours, the floor (bench/peer_prefect_floor.py) and the naive Prefect peer.

Each side runs the same documents with fresh state once the server is idle; the server's CPU is counted from the
run's start until the server has worked off the run's events again (so a side that leaves events behind pays for
them), and the flow process's CPU is the child's own, around its flow call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.procfs import tree_cpu_seconds
from bench.runs import PIPELINE, Session

FLOOR = "peer_prefect_floor"
SIDES = {"pipeline": PIPELINE, FLOOR: "bench.peer_prefect_floor", "peer_naive_prefect": "bench.peer_naive_prefect"}
"""The figure prefix of each side and the module its child runs."""


def _measured(session: Session, module: str, folder: Path, width: int) -> tuple[dict[str, Any], float]:
    """One run's figures and the Prefect server CPU seconds it cost."""
    session.drain()
    server_cpu = tree_cpu_seconds(session.server_pid)
    run = session.run(module, folder, session.fresh_state(), width)
    session.drain()
    return run, tree_cpu_seconds(session.server_pid) - server_cpu


def floor_comparison(session: Session, folder: Path, width: int, documents: int) -> dict[str, Any]:
    """floor_ratio (ours / the floor, wall), the naive peer's ratio at 0 ms, and CPU ms per document of each side."""
    session.upstreams.set_latency(0.0)
    figures: dict[str, Any] = {}
    for side, module in SIDES.items():
        run, server_cpu = _measured(session, module, folder, width)
        if run.get("failed"):
            raise RuntimeError(f"{side} failed {run['failed']} documents at 0 ms: {run.get('first_failure')}")
        figures |= {f"{side}_seconds_0ms": run["seconds"],
                    f"{side}_flow_cpu_ms_per_document": run["cpu_seconds"] / documents * 1000,
                    f"{side}_server_cpu_ms_per_document": server_cpu / documents * 1000}
    ours = figures["pipeline_seconds_0ms"]
    return figures | {
        "floor_ratio": ours / figures[f"{FLOOR}_seconds_0ms"],
        "flow_cpu_ms_per_document": figures["pipeline_flow_cpu_ms_per_document"],
        "server_cpu_ms_per_document": figures["pipeline_server_cpu_ms_per_document"],
        "flow_cpu_floor_ratio": (figures["pipeline_flow_cpu_ms_per_document"]
                                 / figures[f"{FLOOR}_flow_cpu_ms_per_document"]),
        "peer_naive_prefect_ratio_0ms": ours / figures["peer_naive_prefect_seconds_0ms"],
    }
