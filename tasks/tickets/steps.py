"""Ticket triage's steps, each declared once on the kit, with the offline model's answer beside the step that asks.

extract_ticket (model) reads a ticket's customer, product and severity; lookup_customer (tool) asks the enrichment
API about the customer; draft_reply (model) writes the first answer to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from agentic_kit import EnrichmentApi, Instructions, model_step, offline_answer, tool_step
from agentic_kit.models import Enrichment, Entity, EntityType
from agentic_kit.offline import extract_entities

Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_WORDS: tuple[tuple[Severity, tuple[str, ...]], ...] = (
    ("critical", ("outage", "down", "data loss", "cannot log in", "all users")),
    ("high", ("urgent", "asap", "blocked", "failing", "error")),
    ("medium", ("slow", "wrong", "missing", "broken")),
)
"""The offline model's severity rule: the first level with a word in the ticket, else low."""


# --8<-- [start:models]
class Ticket(BaseModel):
    """A support ticket as it arrives."""

    text: str


class TicketFacts(BaseModel):
    """What a ticket is about."""

    customer: str
    product: str
    severity: Severity


class DraftReply(BaseModel):
    """The first answer to send the customer."""

    reply: str
# --8<-- [end:models]


# --8<-- [start:instructions]
EXTRACT_TICKET = Instructions(text=(
    "Read the support ticket. Name the customer (the company writing), the product it is about, and the severity: "
    "critical (an outage or data loss), high (work blocked), medium (degraded), or low."))
DRAFT_REPLY = Instructions(text=(
    "Draft a short, polite first reply to the support ticket, addressed to the customer, naming the product and "
    "saying what happens next given the severity. Use what the customer record says; promise nothing else."))
# --8<-- [end:instructions]


# --8<-- [start:extract_ticket]
@model_step("extract_ticket", instructions=EXTRACT_TICKET, output=TicketFacts)
def extract_ticket(ticket: Ticket) -> dict[str, str]:
    """Read the ticket."""
    return {"ticket": ticket.text}


@offline_answer(TicketFacts)
def offline_ticket_facts(material: Mapping[str, str]) -> TicketFacts:
    """The first organisation and product the ticket names, and the severity its words suggest."""
    text = material["ticket"]
    entities = extract_entities(text).entities
    first = {kind: next((e.name for e in entities if e.type == kind), "unknown")
             for kind in (EntityType.ORG, EntityType.PRODUCT)}
    lowered = text.lower()
    severity: Severity = next((level for level, words in SEVERITY_WORDS if any(w in lowered for w in words)), "low")
    return TicketFacts(customer=first[EntityType.ORG], product=first[EntityType.PRODUCT], severity=severity)
# --8<-- [end:extract_ticket]


# --8<-- [start:lookup_customer]
@tool_step("lookup_customer", dependency=EnrichmentApi)
async def lookup_customer(customer: str, directory: EnrichmentApi) -> Enrichment:
    """What the enrichment API knows about the customer."""
    return await directory.enrich(Entity(name=customer, type=EntityType.ORG))
# --8<-- [end:lookup_customer]


# --8<-- [start:draft_reply]
@model_step("draft_reply", instructions=DRAFT_REPLY, output=DraftReply)
def draft_reply(ticket: Ticket, facts: TicketFacts, customer: Enrichment) -> dict[str, str]:
    """Write the reply from the ticket, its facts and the customer record."""
    return {"ticket": ticket.text, "facts": facts.model_dump_json(), "customer": customer.model_dump_json()}


@offline_answer(DraftReply)
def offline_draft_reply(material: Mapping[str, str]) -> DraftReply:
    """A reply made of the facts, worded plainly."""
    facts = TicketFacts.model_validate_json(material["facts"])
    customer = Enrichment.model_validate_json(material["customer"])
    name = customer.canonical_name or facts.customer
    return DraftReply(reply=(f"Dear {name}, thank you for reporting the {facts.product} issue. We have logged it as "
                             f"{facts.severity} severity and will update you as it progresses."))
# --8<-- [end:draft_reply]
