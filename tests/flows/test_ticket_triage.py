"""Ticket triage, the example pipeline written on the kit's public API: it runs offline from its command, pays for
nothing twice, and its dead letters are replayed through ticket triage itself."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from agentic_kit import PipelineStore
from agentic_kit.store import DocumentRow, PipelineItemRow
from agentic_kit.testing import EnrichmentServer, Fault
from tests.conftest import run_python

TICKETS = ("Kestrel Freight Corp. reports that Halvorsen Horizon is down for all users since 9:00.",
           "Northwind Traders: the Halvorsen Horizon forecast export is slow this week.")


def _triage(*tickets: str, env: dict[str, str]) -> str:
    """Run `python -m flows.ticket_triage` on the tickets; its output."""
    arguments = [part for ticket in tickets for part in ("--ticket", ticket)]
    result = run_python("-m", "flows.ticket_triage", *arguments, env=env)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result.stdout


def test_tickets_are_triaged_offline_and_the_second_run_makes_no_model_call(
        enrichment_server: EnrichmentServer) -> None:
    """2 tickets, 2 model steps each: 4 calls on the first run, 0 on the second."""
    env = {"AGENTIC_ENRICHMENT_URL": enrichment_server.url}
    first = _triage(*TICKETS, env=env)
    assert "2 tickets: 2 triaged, 0 failed; 4 model calls made" in first, first
    assert re.search(r"run: \S+/runs/flow-run/[0-9a-f-]{36}", first), first
    assert "2 tickets: 2 triaged, 0 failed; 0 model calls made" in _triage(*TICKETS, env=env)


def test_a_ticket_dead_letter_is_replayed_through_ticket_triage(enrichment_server: EnrichmentServer) -> None:
    """The customer lookup refused (400, not retried): one dead letter of ticket-triage at lookup_customer, keeping
    the ticket; `agentic dead-letters replay --id N` once the API answers runs ticket triage on it, which marks it
    replayed, and the documents table never sees the ticket."""
    enrichment_server.faults.push(Fault.BAD_REQUEST, times=1)
    env = {"AGENTIC_ENRICHMENT_URL": enrichment_server.url}
    assert "1 tickets: 0 triaged, 1 failed" in _triage(TICKETS[0], env=env)
    listed = run_python("-m", "agentic_kit", "dead-letters", "list", "--json", env=env)
    letters = json.loads(listed.stdout)
    assert [(letter["pipeline"], letter["step"], letter["status"]) for letter in letters] == [
        ("ticket-triage", "lookup_customer", "open")], listed.stdout
    replay = run_python("-m", "agentic_kit", "dead-letters", "replay", "--id", str(letters[0]["id"]), env=env)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    after = json.loads(run_python("-m", "agentic_kit", "dead-letters", "list", "--json",
                                                "--status", "replayed", env=env).stdout)
    assert [(letter["id"], letter["pipeline"]) for letter in after] == [(letters[0]["id"], "ticket-triage")]
    with Session(PipelineStore.from_environment().engine()) as session:
        assert session.exec(select(DocumentRow)).all() == [], "a ticket is no document"
        items = session.exec(select(PipelineItemRow)).all()
    assert [(item.pipeline, item.status) for item in items] == [("ticket-triage", "processed")]
