"""Ticket triage: read a support ticket, look the customer up, draft a reply. A pipeline on the kit's public API.

    python -m flows.ticket_triage --ticket "Kestrel Freight: Halvorsen Horizon is down for all users"

prints `N tickets: N triaged, 0 failed; M model calls made`; run again, the same tickets make 0 model calls.
"""

from __future__ import annotations

from pydantic import BaseModel

from agentic_kit import PipelineBlocks, pipeline
from agentic_kit.models import Enrichment
from agentic_kit.operate import run_from_command_line
from tasks.tickets.steps import DraftReply, Ticket, TicketFacts, draft_reply, extract_ticket, lookup_customer


# --8<-- [start:pipeline]
class Triage(BaseModel):
    """A triaged ticket: its facts, the customer record and the reply to send."""

    facts: TicketFacts
    customer: Enrichment
    reply: DraftReply


@pipeline("ticket-triage", item=Ticket, noun="tickets", done="triaged")
async def ticket_triage(ticket: Ticket, blocks: PipelineBlocks) -> Triage:
    """Triage one support ticket."""
    facts = await extract_ticket(ticket)
    customer = await lookup_customer(facts.customer, blocks.enrichment)
    return Triage(facts=facts, customer=customer, reply=await draft_reply(ticket, facts, customer))


ticket_triage_flow = ticket_triage.flow
"""The flow prefect.yaml deploys."""
# --8<-- [end:pipeline]


# --8<-- [start:main]
def main() -> None:
    """Triage the tickets given on the command line and print the run's headline."""
    # without AGENTIC_ENRICHMENT_URL, the bundled enrichment service answers the customer lookups
    run_from_command_line(ticket_triage, lambda text: Ticket(text=text), option="ticket",
                          description="Triage support tickets once.", option_help="a ticket's text (repeatable)")
# --8<-- [end:main]


if __name__ == "__main__":
    main()
