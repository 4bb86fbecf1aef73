"""A session's figures from the servers' request logs, the breaker watch, the runs and the audit."""

from __future__ import annotations

from typing import Any

from agentic_kit._operate.chaos.audit import faults_by_kind, faults_by_server, retries_by_server
from chaos.audit import PublishAudit
from chaos.breakers import BreakerWatch
from chaos.upstreams import DocumentUpstreams

ALLOWED_FINAL_EXITS = (0, 1)
"""A final run exits 1 when some documents failed: they are dead letters, not an error of the session."""


def request_figures(servers: DocumentUpstreams) -> dict[str, Any]:
    """Requests, injected faults (by kind and by server) and retries: requests repeating an earlier identical one."""
    logs = servers.logs()
    by_server = faults_by_server(logs)
    by_kind = faults_by_kind(by_server)
    retries = retries_by_server(logs)
    return {
        "faults": sum(by_kind.values()),
        "faults_by_kind": by_kind,
        "faults_by_server": by_server,
        "model_requests": len(logs["model"].records),
        "enrichment_requests": len(logs["enrichment"].records),
        "notification_requests": len(logs["sink"].records),
        "retries": sum(retries.values()),
        "retries_by_server": retries,
        "repeated_model_answers": sum(n - 1 for n in logs["model"].repeated_ok().values()),
    }


def run_figures(runs: list[dict[str, Any]], kills_requested: int) -> dict[str, Any]:
    """Kills, resumes (a run right after a kill) and how the final run ended."""
    last = runs[-1]
    return {
        "kills": sum(1 for run in runs if run["ended"] == "killed"),
        "kills_requested": kills_requested,
        "resumes": sum(1 for before in runs[:-1] if before["ended"] == "killed"),
        "runs": len(runs),
        "runs_ended_before_their_kill_point": sum(1 for run in runs if run["kill_point"] and run["ended"] != "killed"),
        "final_exit_code": last["returncode"],
        "final_exit_allowed": last["returncode"] in ALLOWED_FINAL_EXITS and last["headline"] is not None,
        "final_headline": last["headline"],
        "run_log": runs,
    }


def outcome_figures(result: PublishAudit, watch: BreakerWatch) -> dict[str, Any]:
    """Breaker openings and where the documents ended."""
    openings = watch.openings()
    return {
        "breaker_openings": sum(openings.values()),
        "breaker_openings_by_breaker": dict(sorted(openings.items())),
        "published": len(result.published),
        "dead_letters": len(result.dead_letters),
        "stale_dead_letters": len(result.stale_dead_letters),
        "lost": len(result.lost),
        "duplicated": len(result.duplicated),
        "applied_twice": len(result.applied_twice),
        "disagreeing": len(result.disagreeing),
        "problem_documents": result.details,
    }
