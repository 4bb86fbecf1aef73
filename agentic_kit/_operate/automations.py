"""Automations as code: who is told what, and which runs are cancelled or marked crashed.

`make deploy` applies them (create or update by name); `prefect automation ls` shows them.
Notifications go through one notification block (a custom webhook by default): swap it for a
Slack or email block of the same name and every automation follows. A review that waits too long is
escalated through a second block (`agentic-escalation`: a team lead, say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from prefect.automations import Automation
from prefect.client.schemas.objects import StateType
from prefect.events.actions import CancelFlowRun, ChangeFlowRunState, SendNotification
from prefect.events.schemas.automations import EventTrigger, Posture

from agentic_kit._domain.events import (
    BUDGET_EXHAUSTED,
    BUDGET_RESOURCE_PREFIX,
    CIRCUIT_OPENED,
    DEAD_LETTER_RECORDED,
    DEPENDENCY_RESOURCE_PREFIX,
    HEALTH_DEGRADED,
    REVIEW_DEFAULTED,
    REVIEW_ESCALATED,
    REVIEW_REMINDER,
    ROLLOUT_RESOURCE_PREFIX,
    ROLLOUT_ROLLED_BACK,
    SLO_BREACHED,
)
from agentic_kit._domain.settings import Settings

PREFIX = "agentic: "
"""Every automation of ours is named with this prefix."""

FLOW_RUNS = {"prefect.resource.id": "prefect.flow-run.*"}
FINISHED = {f"prefect.flow-run.{name}" for name in ("Completed", "Failed", "Crashed", "Cancelled", "Cancelling")}
WAITING = {"prefect.flow-run.Paused", "prefect.flow-run.Suspended"}
"""A run waiting for a human is not running too long."""
STARTED = {"prefect.flow-run.Pending", "prefect.flow-run.Running"}
"""A worker took the run (Pending), or its process started it (Running): heartbeats are due from here on; a worker
that dies between the two leaves a run that never sends one."""
RUN_LINK = "Flow run {{ flow_run.name }} ({{ flow.name }}): {{ flow_run|ui_url }}"
WAITING_DOCUMENTS = "{{ event.payload.waiting }} {{ event.payload.noun }} wait for your decision"


@dataclass(frozen=True)
class NotificationBlocks:
    """The ids of the blocks the automations notify through."""

    alerts: UUID
    """Everything: failures, reviews needed and reminders, circuits, dead letters, SLOs."""
    escalation: UUID
    """Reviews still waiting after their run's review_escalation_seconds."""


def _notify(block_id: UUID, subject: str, body: str) -> SendNotification:
    return SendNotification(block_document_id=block_id, subject=subject, body=body)


def _on_review_step(event: str, name: str, description: str, block_id: UUID, body: str) -> Automation:
    """Notify through block_id, with the run's link, each time a waiting review announces event."""
    return Automation(
        name=f"{PREFIX}{name}", description=description,
        trigger=EventTrigger(expect={event}, posture=Posture.Reactive, threshold=1),
        actions=[_notify(block_id, f"{name.capitalize()}: {{{{ flow_run.name }}}}", f"{body} {RUN_LINK}")],
    )


def _review_steps(blocks: NotificationBlocks) -> list[Automation]:
    """A waiting review's reminder, escalation and default decision, each told as its run announces it."""
    still_waiting = (WAITING_DOCUMENTS + " since {{ event.payload.waiting_since }}; "
                     "'{{ event.payload.default }}' applies in {{ event.payload.default_in_seconds }} s.")
    return [
        _on_review_step(REVIEW_REMINDER, "review reminder",
                        "A review still waits after its run's review_reminder_seconds: remind the reviewers.",
                        blocks.alerts, still_waiting),
        _on_review_step(REVIEW_ESCALATED, "review escalated",
                        "A review still waits after its run's review_escalation_seconds: tell the escalation block.",
                        blocks.escalation, f"Escalated: nobody answered. {still_waiting}"),
        _on_review_step(REVIEW_DEFAULTED, "review defaulted",
                        "Nobody decided within the run's review_timeout_seconds: the default decision applied.",
                        blocks.alerts, "Nobody decided within {{ event.payload.waiting_seconds }} s: "
                                       "'{{ event.payload.default }}' applied to {{ event.payload.waiting }} "
                                       "{{ event.payload.noun }}."),
    ]


def automations(blocks: NotificationBlocks, settings: Settings | None = None) -> list[Automation]:
    """Every automation of the project, its notifications sent through these blocks."""
    settings = settings or Settings()
    block_id = blocks.alerts
    return [
        Automation(
            name=f"{PREFIX}flow run failed or crashed",
            description="Tell someone when a flow run fails or its process crashes.",
            trigger=EventTrigger(match=FLOW_RUNS, expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
                                 posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Flow run {{ flow_run.state.name }}: {{ flow_run.name }}",
                             RUN_LINK + "\n{{ flow_run.state.message }}")],
        ),
        Automation(
            name=f"{PREFIX}review needed",
            description="A run paused (or suspended) for a human review: send the link to its form.",
            trigger=EventTrigger(match=FLOW_RUNS, expect=WAITING,
                                 posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Review needed: {{ flow_run.name }}",
                             "Documents wait for your decision. " + RUN_LINK)],
        ),
        Automation(
            name=f"{PREFIX}circuit opened",
            description="A dependency's circuit breaker opened: calls to it fail fast until it recovers.",
            trigger=EventTrigger(match={"prefect.resource.id": f"{DEPENDENCY_RESOURCE_PREFIX}*"},
                                 expect={CIRCUIT_OPENED}, posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Circuit opened: {{ event.resource.id }}",
                             "{{ event.resource.id }} is failing; calls fail fast. {{ event.payload }}")],
        ),
        Automation(
            name=f"{PREFIX}dead letters piling up",
            description=f"{settings.dead_letter_alert_count} or more dead letters within "
                        f"{settings.dead_letter_alert_minutes} minutes.",
            trigger=EventTrigger(expect={DEAD_LETTER_RECORDED}, posture=Posture.Reactive,
                                 threshold=settings.dead_letter_alert_count,
                                 within=timedelta(minutes=settings.dead_letter_alert_minutes)),
            actions=[_notify(block_id, "Dead letters piling up",
                             f"{settings.dead_letter_alert_count}+ dead letters in "
                             f"{settings.dead_letter_alert_minutes} minutes; latest: {{{{ event.payload }}}}")],
        ),
        Automation(
            name=f"{PREFIX}budget exhausted",
            description="A pipeline's shared model budget refused a call: its documents wait as dead letters of "
                        "type budget until the period resets (once per pipeline and period).",
            trigger=EventTrigger(match={"prefect.resource.id": f"{BUDGET_RESOURCE_PREFIX}*"},
                                 expect={BUDGET_EXHAUSTED}, posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Budget exhausted: {{ event.resource.name }}",
                             "{{ event.payload.message }}")],
        ),
        Automation(
            name=f"{PREFIX}health degraded",
            description="The health check found a component that does not answer.",
            trigger=EventTrigger(expect={HEALTH_DEGRADED}, posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Health degraded", "{{ event.payload }}")],
        ),
        Automation(
            name=f"{PREFIX}SLO breached",
            description="The SLO check found a pipeline missing an objective (latency, errors, dead letters).",
            trigger=EventTrigger(expect={SLO_BREACHED}, posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "SLO breached: {{ event.resource.name }}", "{{ event.payload.summary }}")],
        ),
        Automation(
            name=f"{PREFIX}canary rolled back",
            description="A step's canary was rolled back (its candidate variant did worse than live): every item "
                        "runs the live variant again.",
            trigger=EventTrigger(match={"prefect.resource.id": f"{ROLLOUT_RESOURCE_PREFIX}*"},
                                 expect={ROLLOUT_ROLLED_BACK}, posture=Posture.Reactive, threshold=1),
            actions=[_notify(block_id, "Canary rolled back: {{ event.payload.step }}",
                             "{{ event.payload.candidate }} rolled back after {{ event.payload.after_items }} items: "
                             "{{ event.payload.reason }}")],
        ),
        Automation(
            name=f"{PREFIX}run too long",
            description=f"Cancel a flow run still running after {settings.max_run_minutes} minutes.",
            trigger=EventTrigger(match=FLOW_RUNS, after={"prefect.flow-run.Running"}, expect=FINISHED | WAITING,
                                 for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
                                 within=timedelta(minutes=settings.max_run_minutes)),
            actions=[CancelFlowRun(),
                     _notify(block_id, "Cancelled after running too long: {{ flow_run.name }}", RUN_LINK)],
        ),
        Automation(
            name=f"{PREFIX}run lost its process",
            description="A flow run handed to a worker, or running, sent no heartbeat for too long: its process (or "
                        "its worker) died. Mark it Crashed.",
            trigger=EventTrigger(match=FLOW_RUNS, after=STARTED | {"prefect.flow-run.heartbeat"},
                                 expect=STARTED | {"prefect.flow-run.heartbeat"} | FINISHED | WAITING,
                                 for_each={"prefect.resource.id"},
                                 posture=Posture.Proactive, threshold=1,
                                 within=timedelta(seconds=settings.heartbeat_timeout_seconds)),
            actions=[ChangeFlowRunState(state=StateType.CRASHED,
                                        message="No heartbeat: the flow run's process died."),
                     _notify(block_id, "Flow run lost its process: {{ flow_run.name }}", RUN_LINK)],
        ),
        *_review_steps(blocks),
    ]


async def apply_automations(blocks: NotificationBlocks, settings: Settings | None = None) -> list[str]:
    """Create each automation, or update the one of the same name; return what was done to each."""
    done = []
    for automation in automations(blocks, settings):
        try:
            existing = await Automation.aread(name=automation.name)
        except ValueError:
            await automation.acreate()
            done.append(f"created {automation.name}")
            continue
        automation.id = existing.id
        await automation.aupdate()
        done.append(f"updated {automation.name}")
    return done
