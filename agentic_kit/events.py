"""The names of the events the kit emits (automations match on them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentic_kit._lazy import load_attribute

if TYPE_CHECKING:
    from agentic_kit._domain.events import (
        HEALTH_DEGRADED,
        HEALTH_OK,
        HEALTH_RESOURCE,
        REVIEW_DEFAULTED,
        REVIEW_ESCALATED,
        REVIEW_REMINDER,
        REVIEW_RESOURCE_PREFIX,
        SLO_BREACHED,
        SLO_RESOURCE_PREFIX,
    )

_EXPORTS = {
    "HEALTH_DEGRADED": "agentic_kit._domain.events",
    "HEALTH_OK": "agentic_kit._domain.events",
    "HEALTH_RESOURCE": "agentic_kit._domain.events",
    "REVIEW_DEFAULTED": "agentic_kit._domain.events",
    "REVIEW_ESCALATED": "agentic_kit._domain.events",
    "REVIEW_REMINDER": "agentic_kit._domain.events",
    "REVIEW_RESOURCE_PREFIX": "agentic_kit._domain.events",
    "SLO_BREACHED": "agentic_kit._domain.events",
    "SLO_RESOURCE_PREFIX": "agentic_kit._domain.events",
}

__all__ = [
    "HEALTH_DEGRADED",
    "HEALTH_OK",
    "HEALTH_RESOURCE",
    "REVIEW_DEFAULTED",
    "REVIEW_ESCALATED",
    "REVIEW_REMINDER",
    "REVIEW_RESOURCE_PREFIX",
    "SLO_BREACHED",
    "SLO_RESOURCE_PREFIX",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its private module the first time it is used."""
    return load_attribute(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    """The public names."""
    return __all__
