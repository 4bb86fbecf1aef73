"""Every event name this project emits or listens to, so automations and triggers have one place to look."""

DOCUMENT_RECEIVED = "agentic.document.received"
"""The webhook gateway accepted a document; the event-triggered deployment processes it."""
DOCUMENT_RESOURCE_PREFIX = "agentic.document."
"""Resource ids of document events: agentic.document.<delivery id>."""

HEALTH_OK = "agentic.health.ok"
HEALTH_DEGRADED = "agentic.health.degraded"
"""Emitted by the health-check flow; the resource is agentic.health, the payload names each check."""
HEALTH_RESOURCE = "agentic.health"

CIRCUIT_OPENED = "agentic.circuit.opened"
CIRCUIT_HALF_OPEN = "agentic.circuit.half_open"
CIRCUIT_CLOSED = "agentic.circuit.closed"
"""Circuit-breaker transitions; the resource is agentic.dependency.<name>."""
DEPENDENCY_RESOURCE_PREFIX = "agentic.dependency."
"""Resource ids of circuit-breaker events: agentic.dependency.<dependency name>."""

DEAD_LETTER_RECORDED = "agentic.dead_letter.recorded"
"""A document or item landed in the dead-letter store."""
DEAD_LETTER_RESOURCE_PREFIX = "agentic.dead_letter."
"""Resource ids of dead-letter events: agentic.dead_letter.<dead letter id>."""

SLO_BREACHED = "agentic.slo.breached"
"""The SLO check found an objective missed; the resource is agentic.slo.<pipeline>.<objective>."""
SLO_RESOURCE_PREFIX = "agentic.slo."

BUDGET_EXHAUSTED = "agentic.budget.exhausted"
"""A pipeline's shared model budget refused a call: emitted once per pipeline and period."""
BUDGET_RESOURCE_PREFIX = "agentic.budget."
"""Resource ids of budget events: agentic.budget.<pipeline>."""
