"""A chaos session's output: a table of figures, the problem documents, chaos/results/latest.json, the final line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count:,}" for kind, count in counts.items()) or "none"


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, value, what it must be) for the table."""
    f = figures
    breakers = _kinds(f["breaker_openings_by_breaker"])
    return [
        ("documents", f"{f['documents']:,}", ""),
        ("faults injected (model + enrichment + receiver)", f"{f['faults']:,} ({_kinds(f['faults_by_kind'])})", "> 0"),
        ("model requests", f"{f['model_requests']:,}", ""),
        ("enrichment requests", f"{f['enrichment_requests']:,}", ""),
        ("publish notifications sent", f"{f['notification_requests']:,}", ""),
        ("retries (a request repeating an earlier one)", f"{f['retries']:,}", ""),
        ("model answers repeated (answered, not yet saved, when killed)", f"{f['repeated_model_answers']:,}", ""),
        ("circuit-breaker openings (store)", f"{f['breaker_openings']:,} ({breakers})", "counted"),
        ("agentic.circuit.opened events (Prefect API)", f"{f['breaker_opened_events']:,}", ""),
        ("seconds waited for open breakers between runs", f"{f['breaker_wait_seconds']:,.0f}", ""),
        ("kills (SIGKILL)", f"{f['kills']:,} of {f['kills_requested']:,}", ""),
        ("resumes", f"{f['resumes']:,}", ""),
        ("runs (ended before their kill point)", f"{f['runs']:,} ({f['runs_ended_before_their_kill_point']:,})", ""),
        ("final run", f"exit {f['final_exit_code']}: {f['final_headline'] or 'no report'}", "exit 0 or 1"),
        ("published (store, export and receiver agree)", f"{f['published']:,}", ""),
        ("dead letters (open, not published)", f"{f['dead_letters']:,}", ""),
        ("open dead letters of documents published later", f"{f['stale_dead_letters']:,}", ""),
        ("lost", f"{f['lost']:,}", "0"),
        ("duplicated (applied twice, or store/export/receiver disagree)",
         f"{f['duplicated']:,} ({f['applied_twice']:,} applied twice, {f['disagreeing']:,} disagreeing)", "0"),
        ("seconds", f"{f['seconds']:,.1f}", ""),
    ]


def print_table(figures: dict[str, Any]) -> None:
    """The figures, then every lost or duplicated document with what the store, export, receiver and saga log say."""
    table = Table(title="Document pipeline under chaos")
    for column in ("figure", "value", "must be"):
        table.add_column(column, justify="left" if column != "must be" else "right", overflow="fold")
    for row in rows(figures):
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    for problem in figures["problem_documents"]:
        console.print(f"problem document: {json.dumps(problem, sort_keys=True)}", soft_wrap=True)


def final_line(figures: dict[str, Any]) -> str:
    """The session in one line, always printed last."""
    fleet = (f"workers={figures['workers']} worker_kills={figures['worker_kills']} "
             f"server_restarts={figures['server_restarts']} " if "workers" in figures else "")
    return (f"chaos: documents={figures['documents']} faults={figures['faults']} published={figures['published']} "
            f"dead_letters={figures['dead_letters']} {fleet}lost={figures['lost']} duplicated={figures['duplicated']}")


def write_json(figures: dict[str, Any], settings: dict[str, Any], path: Path = RESULTS) -> Path:
    """The settings and every figure, as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"settings": settings, **figures}, indent=2, default=str) + "\n")
    return path
