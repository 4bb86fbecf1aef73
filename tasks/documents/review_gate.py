"""The human review gate: documents whose review score is low wait for a person's decision.

Called by a flow (it pauses the flow run): one pause for all low-scoring documents, with a form in
the Prefect UI (approve or reject each, edit its summary, leave a note). When nobody answers within
the timeout, the default decision applies; before it, a waiting review reminds and then escalates
(the kit's `remind_then_escalate`). `agentic review resume` resumes a paused run from a decision file
for people who do not use the UI.
"""

from __future__ import annotations

import asyncio

from prefect import pause_flow_run, resume_flow_run, runtime
from prefect.input import RunInput

from agentic_kit import announce_default, remind_then_escalate
from agentic_kit.models import Decision, DocumentDecision, DocumentOutcome, ReviewSchedule

PAUSE_KEY = "review-gate"
PAUSE_GRACE_SECONDS = 60
"""Prefect's own pause timeout is ours plus this, so the run is always resumed by us, never expired."""


class ReviewDecisions(RunInput):
    """The review form: one decision per document waiting for review."""

    decisions: list[DocumentDecision]


def needs_review(outcome: DocumentOutcome, threshold: float) -> bool:
    """A processed document whose review score is below the threshold."""
    return outcome.status == "processed" and outcome.review is not None and outcome.review.score < threshold


def _proposals(waiting: list[DocumentOutcome], default: Decision) -> list[DocumentDecision]:
    """The form's starting values: each document's score, critique, summary and the default decision."""
    return [
        DocumentDecision(
            document_id=o.document_id or "", document=o.source, score=o.review.score if o.review else None,
            critique=o.review.critique if o.review else "", decision=default, summary=o.summary,
        )
        for o in waiting
    ]


async def _ask(proposals: list[DocumentDecision], schedule: ReviewSchedule,
               default: Decision) -> dict[str, DocumentDecision]:
    """Pause for the form, reminding and escalating while it waits; the decisions by document id, or none when
    nobody answered in time."""
    form = ReviewDecisions.with_initial_data(
        description=(f"{len(proposals)} document(s) scored below the review threshold. Approve or reject each, "
                     "edit a summary if you like, and leave a note."),
        decisions=proposals,
    )
    pause = pause_flow_run(wait_for_input=form, timeout=schedule.timeout_seconds + PAUSE_GRACE_SECONDS,
                           key=PAUSE_KEY)
    escalation = asyncio.create_task(remind_then_escalate(schedule, len(proposals), default))
    try:
        answer = await asyncio.wait_for(pause, schedule.timeout_seconds)
    except TimeoutError:
        await resume_flow_run(runtime.flow_run.id, run_input={"decisions": [p.model_dump() for p in proposals]})
        announce_default(schedule, len(proposals), default)
        return {}
    finally:
        escalation.cancel()
    return {decision.document_id: decision for decision in answer.decisions}


def apply_decision(outcome: DocumentOutcome, decision: DocumentDecision | None, default: Decision) -> DocumentOutcome:
    """The outcome after a person's decision, or after the default one when nobody decided."""
    if decision is None:
        return _decided(outcome, default, f"no decision given in time: default '{default}' applied", outcome.summary)
    edited = decision.summary if decision.summary and decision.summary != outcome.summary else None
    verdict = "edit" if edited and decision.decision == "approve" else decision.decision
    return _decided(outcome, verdict, decision.note, edited or outcome.summary)


def _decided(outcome: DocumentOutcome, verdict: str, note: str, summary: str | None) -> DocumentOutcome:
    """The outcome with the verdict recorded; a rejected document leaves the processed ones."""
    update: dict[str, object] = {"review_decision": verdict, "reviewer_note": note, "summary": summary}
    if verdict == "reject":
        update |= {"status": "rejected", "failed_step": "review", "error": f"rejected by reviewer: {note}"}
    return outcome.model_copy(update=update)


async def review_gate(
    outcomes: list[DocumentOutcome], threshold: float, schedule: ReviewSchedule, default: Decision
) -> list[DocumentOutcome]:
    """Pause once for every low-scoring document; return all outcomes with the decisions applied."""
    waiting = [o for o in outcomes if needs_review(o, threshold)]
    if not waiting:
        return outcomes
    decided = await _ask(_proposals(waiting, default), schedule, default)
    return [apply_decision(o, decided.get(o.document_id or ""), default) if needs_review(o, threshold) else o
            for o in outcomes]
