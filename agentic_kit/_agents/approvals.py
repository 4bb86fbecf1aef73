"""Approval of risky tool calls: the run pauses and a person decides in the Prefect UI.

A tool marked as needing approval is never run on the model's say-so: pydantic-ai defers the call, and the agent
asks here. One pause of the flow run shows a form with every waiting call (the tool, its arguments, what the agent
said before asking); a person approves a call, approves it with edited arguments, or rejects it with a message the
model then reads. While the form waits, the review schedule's reminder and escalation are announced as the document
review's are (the same events and automations); nobody answering within its timeout rejects the calls (decided by
`default`). Each decision is
kept in the store under a key hashed from the agent, the job, the call and its arguments, so a run resumed after a
crash applies the decisions already taken instead of asking again, and the transcript shows who allowed what. Since
the approval is demanded by the tool, not by the conversation, a tool's answer that tells the model to call a risky
tool still reaches a person first.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any, Literal
from weakref import WeakKeyDictionary

from prefect.context import FlowRunContext
from prefect.flow_runs import apause_flow_run, aresume_flow_run
from prefect.input import RunInput
from pydantic import BaseModel
from pydantic_ai import DeferredToolRequests, DeferredToolResults, ToolApproved, ToolDenied
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart

from agentic_kit._blocks.agent_records import approval_decision, save_approval
from agentic_kit._blocks.agent_tables import ToolApprovalRow
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.documents import ReviewSchedule
from agentic_kit._steps.policies import hash_of
from agentic_kit._steps.review_reminders import announce_default, remind_then_escalate

APPROVE, EDIT, REJECT = "approve", "edit", "reject"
PAUSE_GRACE_SECONDS = 60
"""Prefect's own pause timeout is ours plus this, so the run is always resumed by us, never expired."""
DEFAULT_REJECTION = "no one approved this call in time; it was not made"
APPROVAL_SCHEDULE = ReviewSchedule(timeout_seconds=3600, reminder_seconds=1200, escalation_seconds=2400)
"""An agent's default: a reminder after 20 minutes, an escalation after 40, rejected after an hour."""
WAITING_NOUN = "tool call(s)"
_pausing: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()
"""One approval form at a time in an event loop (a flow run's): concurrent items of one flow run take turns to pause
it."""
RESUME_POLL_SECONDS = 2
"""How often a paused run looks whether it was resumed (Prefect's default is 10 s)."""


class ToolCallDecision(BaseModel):
    """One waiting tool call on the form: approve it (arguments edited or not) or reject it with a message."""

    call_id: str
    tool: str
    arguments: dict[str, Any]
    reason: str = ""
    decision: Literal["approve", "reject"] = "reject"
    message: str = ""


class ToolApprovals(RunInput):
    """The approval form: one decision per waiting tool call."""

    decisions: list[ToolCallDecision]


def approval_key(agent: str, job: str, call: ToolCallPart) -> str:
    """Where a decision on this call is kept: the agent, the job, the call and its arguments."""
    return hash_of(agent, job, call.tool_call_id, call.tool_name, call.args_as_dict())


def _reason(messages: list[ModelMessage], call: ToolCallPart) -> str:
    """What the agent said in the turn that made the call."""
    for message in reversed(messages):
        if isinstance(message, ModelResponse) and any(
                isinstance(part, ToolCallPart) and part.tool_call_id == call.tool_call_id for part in message.parts):
            return " ".join(part.content for part in message.parts if isinstance(part, TextPart))
    return ""


def _result(row: ToolApprovalRow) -> bool | ToolApproved | ToolDenied:
    """What pydantic-ai is told of a decision."""
    if row.decision == REJECT:
        return ToolDenied(row.message or "a person rejected this call")
    if row.decision == EDIT and row.edited_arguments is not None:
        return ToolApproved(override_args=json.loads(row.edited_arguments))
    return True


def _pause_key(job: str, waiting: list[ToolCallDecision]) -> str:
    """What one approval pause is about: the job and each waiting call, its id, tool and arguments."""
    return hash_of(job, [(w.call_id, w.tool, w.arguments) for w in waiting])[:12]


async def _ask(agent: str, job: str, waiting: list[ToolCallDecision],
               schedule: ReviewSchedule) -> dict[str, ToolCallDecision]:
    """Pause the flow run for the form, reminding and escalating while it waits; the decisions by call id, none when
    nobody answered in time. The pause's key names the job and the calls with their arguments, not only their ids: a
    model's call ids are unique only within its conversation, and Prefect answers a pause whose key already fired in
    the flow run with that pause's input, without asking anyone."""
    form = ToolApprovals.with_initial_data(
        description=f"Agent {agent} wants to make {len(waiting)} call(s) that need approval. Approve each (edit its "
                    "arguments if needed) or reject it with a message the agent will read.",
        decisions=waiting)
    async with _pausing.setdefault(asyncio.get_running_loop(), asyncio.Lock()):
        pause = apause_flow_run(wait_for_input=form, timeout=schedule.timeout_seconds + PAUSE_GRACE_SECONDS,
                                key=f"approval-{agent}-{_pause_key(job, waiting)}", poll_interval=RESUME_POLL_SECONDS)
        reminders = asyncio.create_task(remind_then_escalate(schedule, len(waiting), REJECT, WAITING_NOUN))
        try:
            answer = await asyncio.wait_for(pause, schedule.timeout_seconds)
        except TimeoutError:
            context = FlowRunContext.get()
            if context is not None and context.flow_run is not None:
                await aresume_flow_run(context.flow_run.id, run_input={"decisions": []})
            announce_default(schedule, len(waiting), REJECT, WAITING_NOUN)
            return {}
        finally:
            reminders.cancel()
    return {decision.call_id: decision for decision in answer.decisions}


def _row(agent: str, job: str, call: ToolCallPart, asked: ToolCallDecision,
         decided: ToolCallDecision | None) -> ToolApprovalRow:
    """The kept decision on one call: the person's, or the default rejection."""
    context = FlowRunContext.get()
    common: dict[str, Any] = {
        "approval_key": approval_key(agent, job, call), "agent": agent, "job": job, "tool": call.tool_name,
        "arguments": json.dumps(asked.arguments, sort_keys=True), "reason": asked.reason,
        "flow_run_id": str(context.flow_run.id) if context and context.flow_run else None}
    if decided is None:
        return ToolApprovalRow(**common, decision=REJECT, message=DEFAULT_REJECTION, decided_by="default")
    if decided.decision == "reject":
        return ToolApprovalRow(**common, decision=REJECT, message=decided.message or "a person rejected this call")
    edited = decided.arguments != asked.arguments
    return ToolApprovalRow(**common, decision=EDIT if edited else APPROVE, message=decided.message,
                           edited_arguments=json.dumps(decided.arguments, sort_keys=True) if edited else None)


async def decide(agent: str, job: str, requests: DeferredToolRequests, messages: list[ModelMessage],
                 store: PipelineStore, schedule: ReviewSchedule) -> tuple[DeferredToolResults, list[ToolApprovalRow]]:
    """The decisions on every call waiting for approval: those already kept, then a person's for the rest."""
    if FlowRunContext.get() is None:
        raise RuntimeError(f"agent {agent}: a tool call needs approval, which pauses a flow run: run the agent "
                           "inside a flow (a @pipeline, or a @flow)")
    rows: dict[str, ToolApprovalRow] = {}
    waiting: list[tuple[ToolCallPart, ToolCallDecision]] = []
    for call in requests.approvals:
        kept = await asyncio.to_thread(approval_decision, store, approval_key(agent, job, call))
        if kept is not None:
            rows[call.tool_call_id] = kept
        else:
            waiting.append((call, ToolCallDecision(call_id=call.tool_call_id, tool=call.tool_name,
                                                   arguments=call.args_as_dict(), reason=_reason(messages, call))))
    if waiting:
        decided = await _ask(agent, job, [asked for _, asked in waiting], schedule)
        for call, asked in waiting:
            row = _row(agent, job, call, asked, decided.get(call.tool_call_id))
            await asyncio.to_thread(save_approval, store, row)
            rows[call.tool_call_id] = row
    return DeferredToolResults(approvals={call_id: _result(row) for call_id, row in rows.items()}), list(rows.values())


def with_decisions(agent: str, job: str, messages: list[ModelMessage],
                   decided: list[ToolApprovalRow]) -> list[ModelMessage]:
    """The conversation with each decided call's answer marked, in its metadata (kept, never sent to the model), with
    the decision: approve, edit (with the arguments used instead) or reject, its message, and who decided."""
    kept = {row.approval_key: row for row in decided}
    by_call = {part.tool_call_id: kept[key] for message in messages if isinstance(message, ModelResponse)
               for part in message.parts
               if isinstance(part, ToolCallPart) and (key := approval_key(agent, job, part)) in kept}

    def marked(part: Any) -> Any:
        row = by_call.get(part.tool_call_id) if isinstance(part, ToolReturnPart) else None
        if row is None:
            return part
        approval = {"decision": row.decision, "decided_by": row.decided_by, "message": row.message,
                    "arguments": json.loads(row.edited_arguments) if row.edited_arguments else None}
        return replace(part, metadata={**(part.metadata or {}), "approval": approval})

    return [replace(message, parts=[marked(part) for part in message.parts]) if isinstance(message, ModelRequest)
            else message for message in messages]
