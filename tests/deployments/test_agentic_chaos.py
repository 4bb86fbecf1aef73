"""`agentic chaos` on ticket triage: 4 tickets, 20 % faults, a SIGKILL and a rerun; nothing lost, no tool call done
twice, no finished model call paid twice.

The command runs as a person runs it, a subprocess from the repository root, against the session's Prefect server
(PREFECT_API_URL); it starts its own model and enrichment servers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_python

pytestmark = pytest.mark.e2e

TICKETS = [
    "Kestrel Freight Corp. here: Halvorsen Horizon is down for all users and dispatch planning has stopped.",
    "Northwind Traders Ltd: the Halvorsen Horizon forecast looks wrong for our chilled range this week.",
    "Brightwater Systems: urgent, the Halvorsen Horizon export job is failing every night and finance is blocked.",
    "Halvorsen Analytics GmbH partner desk: please send the Halvorsen Horizon 3.0 release notes, no rush.",
]
SESSION_TIMEOUT_SECONDS = 150


def test_a_killed_and_faulted_ticket_triage_loses_duplicates_and_repays_nothing(tmp_path: Path) -> None:
    items = tmp_path / "tickets.jsonl"
    items.write_text("".join(json.dumps({"text": text}) + "\n" for text in TICKETS))

    result = run_python("-m", "agentic_kit", "chaos", "flows.ticket_triage:ticket_triage", "--items", str(items),
                        "--kills", "1", "--fault-rate", "0.2", "--json", timeout=SESSION_TIMEOUT_SECONDS)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    progress = result.stderr[-3000:]
    assert figures["pipeline"] == "ticket-triage" and figures["items"] == len(TICKETS)
    assert figures["kills"] == 1, progress
    assert figures["faults"] > 0, figures["faults_by_server"]
    assert figures["lost"] == 0, figures["lost_items"]
    assert figures["duplicated"] == 0, figures["duplicated_requests"]
    assert figures["repeated_calls"] == 0, progress
    assert figures["final_report"] and figures["unexpected_items"] == 0, progress
    assert figures["processed"] + figures["dead_letters"] == len(TICKETS)
