"""What a waiting review announces: a reminder, then an escalation, then the default decision, each an event.

A review (the document pipeline's review gate, an agent's approval of risky tool calls) pauses with
`pause_flow_run`, which keeps the flow's process alive while it waits, so that process announces each step on time
from a background task; the automations turn the events into
notifications (the reminder through the usual block, the escalation through a second one). A proactive
automation ("stayed Paused for N seconds") could not do this: its interval is fixed when the automation is
made, while these intervals are the run's own parameters.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from prefect import runtime
from prefect.events import emit_event

from agentic_kit._domain.events import REVIEW_DEFAULTED, REVIEW_ESCALATED, REVIEW_REMINDER, REVIEW_RESOURCE_PREFIX
from agentic_kit._domain.models.documents import ReviewSchedule

STEP_EVENTS = {"reminder": REVIEW_REMINDER, "escalation": REVIEW_ESCALATED}


def _announce(event: str, payload: dict[str, object]) -> None:
    """Emit one review event about the current flow run (which the event names as a related resource)."""
    emit_event(event=event, payload=payload, resource={
        "prefect.resource.id": f"{REVIEW_RESOURCE_PREFIX}{runtime.flow_run.id}",
        "prefect.resource.name": runtime.flow_run.name,
    })


async def remind_then_escalate(schedule: ReviewSchedule, waiting: int, default: str,
                               noun: str = "document(s)") -> None:
    """Sleep until each step of the schedule is due and announce it (`waiting` of `noun` wait for a decision);
    cancelled as soon as the review is answered."""
    paused_at = datetime.now(UTC)
    started = asyncio.get_running_loop().time()
    for step, seconds in schedule.steps():
        await asyncio.sleep(max(0.0, started + seconds - asyncio.get_running_loop().time()))
        _announce(STEP_EVENTS[step], {
            "waiting": waiting, "noun": noun, "waiting_since": paused_at.isoformat(), "waiting_seconds": seconds,
            "default": default, "default_in_seconds": schedule.timeout_seconds - seconds,
        })


def announce_default(schedule: ReviewSchedule, waiting: int, default: str, noun: str = "document(s)") -> None:
    """Say that nobody decided in time and the default decision applied."""
    _announce(REVIEW_DEFAULTED, {"waiting": waiting, "noun": noun, "default": default,
                                 "waiting_seconds": schedule.timeout_seconds})
