"""A session's output: its figures (what `--json` prints), a table for people, and one final line.

The final line has a fixed form, `chaos: pipeline=… items=N faults=F kills=K lost=0 duplicated=0 repeated_calls=0`,
always printed last, so a script or a CI log can read a session at a glance. Lost items and duplicated requests
fail the session (exit 1); repeated model calls cost money but lose nothing, so they are reported, not failed.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from agentic_kit._operate.chaos.session import ChaosResult


def figures(result: ChaosResult) -> dict[str, Any]:
    """Every figure of a session, as JSON-ready values."""
    items, requests = result.items, result.requests
    return {
        "pipeline": result.target.name,
        "entrypoint": result.target.entrypoint,
        "items": items.items,
        "faults": requests.faults,
        "kills": result.kills,
        "lost": len(items.lost),
        "duplicated": requests.duplicated_count,
        "repeated_calls": requests.repeated_calls,
        "ok": result.ok,
        "kills_requested": result.settings.kills,
        "fault_rate": result.settings.fault_rate,
        "seed": result.settings.seed,
        "faults_by_kind": requests.faults_by_kind,
        "faults_by_server": requests.faults_by_server,
        "requests": requests.requests,
        "retries": requests.retries,
        "undelivered_answers": requests.undelivered,
        "processed": len(items.processed),
        "dead_letters": len(items.dead_letters),
        "stale_dead_letters": len(items.stale_dead_letters),
        "unexpected_items": len(items.unexpected),
        "lost_items": items.details,
        "duplicated_requests": requests.duplicated,
        "runs": len(result.runs),
        "final_exit_code": result.final.returncode,
        "final_report": result.final.report is not None,
        "breaker_wait_seconds": round(result.breaker_wait_seconds, 1),
        "seconds": round(result.seconds, 1),
        "scratch": str(result.scratch),
        "run_log": result.runs,
    }


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "none"


def rows(f: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, value, what it must be) for the table."""
    final = next((run for run in reversed(f["run_log"]) if run["outcome"] != "killed"), f["run_log"][-1])
    return [
        ("pipeline", f"{f['pipeline']} ({f['entrypoint']})", ""),
        ("items", str(f["items"]), ""),
        ("faults injected (model + enrichment)", f"{f['faults']} ({_kinds(f['faults_by_kind'])})", "> 0"),
        ("model requests", f"{f['requests']['model']} ({f['retries']['model']} repeating an earlier one)", ""),
        ("enrichment requests", f"{f['requests']['enrichment']} ({f['retries']['enrichment']} repeating one)", ""),
        ("answers given after a kill (never delivered)", _kinds(f["undelivered_answers"]), ""),
        ("kills (SIGKILL)", f"{f['kills']} of {f['kills_requested']}", ""),
        ("runs", str(f["runs"]), ""),
        ("seconds waited for open breakers", f"{f['breaker_wait_seconds']:.0f}", ""),
        ("final run", f"{final['outcome']}: {final['headline'] or 'no report'}", "a report"),
        ("processed", str(f["processed"]), ""),
        ("dead letters (open)", str(f["dead_letters"]), ""),
        ("open dead letters of processed items", str(f["stale_dead_letters"]), ""),
        ("lost", str(f["lost"]), "0"),
        ("duplicated (a tool answer delivered twice)", str(f["duplicated"]), "0"),
        ("repeated calls (a model answer paid twice)", str(f["repeated_calls"]), "0"),
        ("seconds", f"{f['seconds']:.1f}", ""),
    ]


def print_table(f: dict[str, Any], console: Console) -> None:
    """The figures as a table, then every lost item and duplicated request."""
    table = Table(title=f"{f['pipeline']} under chaos")
    for column in ("figure", "value", "must be"):
        table.add_column(column, justify="right" if column == "must be" else "left", overflow="fold")
    for row in rows(f):
        table.add_row(*row)
    console.print(table)
    for lost in f["lost_items"]:
        console.print(f"lost item: {json.dumps(lost, sort_keys=True)}", soft_wrap=True, markup=False)
    for fingerprint, count in f["duplicated_requests"].items():
        console.print(f"duplicated request: {fingerprint[:16]}… answered {count} times", markup=False)
    if not f["final_report"]:
        console.print(f"the final run printed no report: see {f['run_log'][-1]['stderr']}", markup=False)
    if f["unexpected_items"]:
        console.print(f"{f['unexpected_items']} ids in the final report are no item of the file", markup=False)


def final_line(f: dict[str, Any]) -> str:
    """The session in one line, always printed last."""
    return (f"chaos: pipeline={f['pipeline']} items={f['items']} faults={f['faults']} kills={f['kills']} "
            f"lost={f['lost']} duplicated={f['duplicated']} repeated_calls={f['repeated_calls']}")
