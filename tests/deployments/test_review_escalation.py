"""A review nobody answers: a reminder, then an escalation to the second block, then the default decision.

The run announces each step as an event while it waits (its process stays alive in a pause); the automations
`make deploy` applied turn them into notifications, received here by two sinks: the usual block's and the
escalation block's.
"""

from __future__ import annotations

from prefect import get_client

from agentic_kit._domain.events import REVIEW_DEFAULTED, REVIEW_ESCALATED, REVIEW_REMINDER
from agentic_kit.testing import NotificationSink
from flows.document_pipeline import document_pipeline
from tests.conftest import wait_for_events

TEXT = "Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024 to sign the freight contract."
STEPS = (REVIEW_REMINDER, REVIEW_ESCALATED, REVIEW_DEFAULTED)


async def test_an_unanswered_review_reminds_then_escalates_then_applies_the_default(
    worker: None, sink: NotificationSink, escalation_sink: NotificationSink
) -> None:
    state = await document_pipeline(texts=[TEXT], review_threshold=1.01, review_reminder_seconds=2,
                                    review_escalation_seconds=4, review_timeout_seconds=6, review_default="approve",
                                    return_state=True)
    report = await state.aresult()
    assert state.is_completed() and report.outcomes[0].review_decision == "approve"
    async with get_client() as client:
        run = await client.read_flow_run(state.state_details.flow_run_id)

    events = {}
    for name in STEPS:
        mine = [e for e in await wait_for_events(name) if e.resource.id == f"agentic.review.{run.id}"]
        assert len(mine) == 1, f"one {name} event for the run"
        events[name] = mine[0]
    occurred = [events[name].occurred for name in STEPS]
    print("review steps after the first:", [round((t - occurred[0]).total_seconds(), 1) for t in occurred])
    assert occurred == sorted(occurred), "reminder, escalation, default: in that order"
    assert (occurred[1] - occurred[0]).total_seconds() >= 1.5 and (occurred[2] - occurred[1]).total_seconds() >= 1.5
    assert f"prefect.flow-run.{run.id}" in {r.id for r in events[REVIEW_REMINDER].related}
    assert events[REVIEW_DEFAULTED].payload == {"waiting": 1, "noun": "document(s)", "default": "approve",
                                                "waiting_seconds": 6}

    reminder = sink.wait_for(f"Review reminder: {run.name}")
    escalated = escalation_sink.wait_for(f"Review escalated: {run.name}")
    defaulted = sink.wait_for(f"Review defaulted: {run.name}")
    assert "1 document(s) wait for your decision" in reminder["body"] and str(run.id) in reminder["body"]
    assert "'approve' applies in 2 s" in escalated["body"] and str(run.id) in escalated["body"]
    assert "'approve' applied to 1 document(s)" in defaulted["body"]
    assert sink.received.index(reminder) < sink.received.index(defaulted)
    assert not [n for n in sink.received if "Review escalated" in n.get("subject", "")], "escalations go elsewhere"
