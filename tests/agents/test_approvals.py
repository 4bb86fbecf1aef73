"""Tool calls that need approval, decided through Prefect's API as the UI's form would: the flow run pauses once
for every waiting call of a turn; a person approves one, approves one with edited arguments and rejects one with a
message; the tools run accordingly, the model reads the rejection, the store keeps each decision, and a second run
of the same job asks nothing and runs nothing again; the kept transcript marks each decision and who took it. Two
items of one flow run are each asked about their own call. Nobody answering in time rejects by default."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any
from uuid import UUID

import pytest
from prefect import flow, get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.exceptions import PrefectHTTPStatusError
from prefect.flow_runs import aresume_flow_run
from prefect.states import State
from sqlmodel import Session, select

from agentic_kit import Agent, AgentLimits, AgentRun, LanguageModel, PipelineStore, idempotency_key, item_scope
from agentic_kit.models import ReviewSchedule
from agentic_kit.store import ToolApprovalRow, agent_run

QUESTION = ("Hi, I am maya.lindqvist@example.com. My order O-5007 arrived broken: please refund it, cancel order "
            "the replacement I placed, and change plan to the yearly one.")
EDITED = {"order_id": "O-5008"}
"""The person's correction of cancel_order's arguments: the replacement order, not the broken one."""
REJECTION = "Plan changes go through billing: tell the customer to write to billing@example.com."
PAUSE_TIMEOUT_SECONDS = 30

made: list[tuple[str, dict[str, Any], str]] = []
"""Every tool call that ran its body: (tool, arguments, idempotency key)."""


async def refund(order_id: str, reason: str) -> dict[str, Any]:
    """Refund an order to the customer."""
    made.append(("refund", {"order_id": order_id, "reason": reason}, idempotency_key()))
    return {"refund_id": f"R-{order_id}", "status": "issued"}


async def cancel_order(order_id: str) -> dict[str, Any]:
    """Cancel an order that has not shipped."""
    made.append(("cancel_order", {"order_id": order_id}, idempotency_key()))
    return {"cancelled": order_id}


async def change_plan(email: str, note: str) -> dict[str, Any]:
    """Move the customer to another subscription plan."""
    made.append(("change_plan", {"email": email, "note": note}, idempotency_key()))
    return {"plan": "yearly", "email": email}


RISKY = ("refund", "cancel_order", "change_plan")
DESK = Agent("desk", instructions="Help the customer; a person approves refunds, cancellations and plan changes.",
             tools=[refund, cancel_order, change_plan], needs_approval=set(RISKY),
             limits=AgentLimits(max_turns=4, parallel_tool_calls=3))
IMPATIENT = Agent("impatient-desk", instructions="Help the customer; a person approves refunds.",
                  tools=[refund], needs_approval={"refund"},
                  approval_schedule=ReviewSchedule(timeout_seconds=3))
REFUNDS = Agent("refunds", instructions="Refund orders; a person approves every refund.", tools=[refund],
                needs_approval={"refund"})


@flow(persist_result=True)
async def help_desk(question: str, job: str) -> AgentRun[str]:
    with item_scope(job, LanguageModel.from_environment(), PipelineStore.from_environment()):
        return await DESK.run(question)


@flow(persist_result=True)
async def impatient_desk(question: str, job: str) -> AgentRun[str]:
    with item_scope(job, LanguageModel.from_environment(), PipelineStore.from_environment()):
        return await IMPATIENT.run(question)


@flow(persist_result=True)
async def two_tickets(questions: dict[str, str]) -> list[AgentRun[str]]:
    """Two items of one flow run, one after the other, as a @pipeline runs them: the same agent on two jobs."""
    answered = []
    for job, question in questions.items():
        with item_scope(job, LanguageModel.from_environment(), PipelineStore.from_environment()):
            answered.append(await REFUNDS.run(question))
    return answered


@pytest.fixture(autouse=True)
def nothing_made_yet() -> None:
    made.clear()


async def paused_run(flow_name: str, timeout: float = PAUSE_TIMEOUT_SECONDS) -> tuple[UUID, list[dict[str, Any]]]:
    """The flow's run waiting for approval, and the decisions its form starts with (one per waiting call)."""
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    async with get_client() as client:
        for _ in range(int(timeout * 4)):
            runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
                                               flow_run_filter=paused)
            if runs and runs[0].state and runs[0].state.state_details.run_input_keyset:
                form = runs[0].state.state_details.run_input_keyset
                try:
                    schema = json.loads(await client.read_flow_run_input(runs[0].id, form["schema"]))
                except PrefectHTTPStatusError as missing:  # Prefect proposes Paused, then saves the form's schema
                    if missing.response.status_code != 404:
                        raise
                else:
                    return runs[0].id, schema["properties"]["decisions"]["default"]
            await asyncio.sleep(0.25)
    raise AssertionError(f"no run of {flow_name} paused for approval")


async def never_pauses(run: Coroutine[Any, Any, State[Any]], flow_name: str) -> State[Any]:
    """Run the flow; fail if it pauses for approval at any point."""
    task = asyncio.create_task(run)
    watch = asyncio.create_task(paused_run(flow_name))
    done, _ = await asyncio.wait({task, watch}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    watch.cancel()
    assert task in done, "the run paused for approval (or did not finish)"
    return task.result()


def decisions(where: dict[str, object]) -> list[ToolApprovalRow]:
    with Session(PipelineStore.from_environment().engine()) as session:
        query = select(ToolApprovalRow)
        for column, value in where.items():
            query = query.where(getattr(ToolApprovalRow, column) == value)
        return list(session.exec(query).all())


def tool_answers(transcript: str) -> dict[str, dict[str, Any]]:
    """Each tool's answer in a kept transcript: its outcome and content, by tool."""
    return {part["tool_name"]: part for message in json.loads(transcript) if message["kind"] == "request"
            for part in message["parts"] if part["part_kind"] == "tool-return"}


def check_three_decisions(job: str, flow_run_id: UUID, answered: AgentRun[str]) -> None:
    """After a person approved refund, approved cancel_order with EDITED and rejected change_plan with REJECTION:
    the tools ran accordingly, the model read the rejection, and the store keeps each decision and the transcript."""
    assert len(made) == 2 and {tool: arguments for tool, arguments, _ in made} == {
        "refund": {"order_id": "O-5007", "reason": QUESTION}, "cancel_order": EDITED}, made
    assert "change_plan" not in {tool for tool, _, _ in made}, "the rejected call never ran"
    assert len({key for _, _, key in made}) == 2, "each call has its own idempotency key"
    assert REJECTION in answered.output, "the model read the rejection"

    rows = {row.tool: row for row in decisions({"agent": "desk", "job": job})}
    assert {tool: (row.decision, row.decided_by) for tool, row in rows.items()} == {
        "refund": ("approve", "person"), "cancel_order": ("edit", "person"), "change_plan": ("reject", "person")}
    assert json.loads(rows["cancel_order"].arguments) == {"order_id": "O-5007"}, "what the model asked for"
    assert json.loads(rows["cancel_order"].edited_arguments or "{}") == EDITED
    assert (rows["refund"].edited_arguments, rows["change_plan"].message) == (None, REJECTION)
    assert {row.flow_run_id for row in rows.values()} == {str(flow_run_id)}

    kept = agent_run(PipelineStore.from_environment(), "desk", job)
    assert kept is not None and (kept.status, kept.approvals, kept.tool_calls) == ("answered", 3, 2)
    answers = tool_answers(kept.transcript)
    assert answers["refund"]["outcome"] == "success" and answers["refund"]["content"]["status"] == "issued"
    assert (answers["cancel_order"]["outcome"], answers["cancel_order"]["content"]) == (
        "success", {"cancelled": "O-5008"}), "the call ran with the edited arguments"
    assert (answers["change_plan"]["outcome"], answers["change_plan"]["content"]) == ("denied", REJECTION), \
        "the rejection is the model's answer to its call"


async def decided_through_the_api(job: str) -> tuple[UUID, list[dict[str, Any]], AgentRun[str]]:
    """Run help_desk on QUESTION; when it pauses, approve refund, approve cancel_order with EDITED and reject
    change_plan with REJECTION, as the form would send them. The run's id, the form's initial decisions and the
    finished run."""
    run = asyncio.create_task(help_desk(QUESTION, job, return_state=True))
    flow_run_id, asked = await paused_run("help-desk")
    assert made == [], "nothing runs before the decision"
    by_tool = {call["tool"]: call for call in asked}
    await aresume_flow_run(flow_run_id, run_input={"decisions": [
        {**by_tool["refund"], "decision": "approve", "message": "broken on arrival"},
        {**by_tool["cancel_order"], "arguments": EDITED, "decision": "approve", "message": "the replacement"},
        {**by_tool["change_plan"], "decision": "reject", "message": REJECTION}]})
    state = await asyncio.wait_for(run, timeout=60)
    assert state.is_completed(), state.message
    return flow_run_id, asked, await state.aresult()


async def test_a_person_approves_one_call_edits_one_and_rejects_one_and_the_tools_run_accordingly() -> None:
    flow_run_id, asked, answered = await decided_through_the_api("ticket-1")
    by_tool = {call["tool"]: call for call in asked}
    assert set(by_tool) == set(RISKY) and len(asked) == 3, "one pause asks about the three calls of the turn"
    assert by_tool["refund"]["arguments"] == {"order_id": "O-5007", "reason": QUESTION}
    assert by_tool["cancel_order"]["arguments"] == {"order_id": "O-5007"}
    assert by_tool["change_plan"]["arguments"] == {"email": "maya.lindqvist@example.com", "note": QUESTION}
    assert {call["decision"] for call in asked} == {"reject"}, "the form starts from the safe default"
    check_three_decisions("ticket-1", flow_run_id, answered)

    again = await never_pauses(help_desk(QUESTION, "ticket-1", return_state=True), "help-desk")
    assert again.is_completed(), again.message
    assert len(made) == 2, "the second run made a tool call again"
    assert (await again.aresult()).output == answered.output
    assert len(decisions({"agent": "desk", "job": "ticket-1"})) == 3, "no decision was asked for again"


async def test_the_kept_transcript_marks_each_decision_and_who_took_it() -> None:
    await decided_through_the_api("ticket-3")
    kept = agent_run(PipelineStore.from_environment(), "desk", "ticket-3")
    assert kept is not None
    marked = {tool: (part.get("metadata") or {}).get("approval") for tool, part in
              tool_answers(kept.transcript).items()}
    assert marked == {
        "refund": {"decision": "approve", "decided_by": "person", "arguments": None, "message": "broken on arrival"},
        "cancel_order": {"decision": "edit", "decided_by": "person", "arguments": EDITED,
                         "message": "the replacement"},
        "change_plan": {"decision": "reject", "decided_by": "person", "arguments": None, "message": REJECTION}}


async def never_finishes_early(run: Coroutine[Any, Any, State[Any]]) -> State[Any]:
    """Run the flow with nobody answering its approval form; it waits the approval timeout, then goes on."""
    started = asyncio.get_running_loop().time()
    state = await asyncio.wait_for(run, timeout=60)
    assert asyncio.get_running_loop().time() - started >= IMPATIENT.approval_schedule.timeout_seconds
    return state


async def test_nobody_answering_in_time_rejects_by_default_and_the_tool_never_runs() -> None:
    state = await never_finishes_early(impatient_desk("I am ada@example.com; please refund order O-5001.", "t-2",
                                                      return_state=True))
    assert state.is_completed(), state.message
    answered: AgentRun[str] = await state.aresult()
    assert made == [], "the refund ran without approval"
    [row] = decisions({"agent": "impatient-desk", "job": "t-2"})
    assert (row.tool, row.decision, row.decided_by) == ("refund", "reject", "default")
    assert "no one approved this call in time" in row.message
    assert row.message in answered.output, "the model read the default rejection"
    kept = agent_run(PipelineStore.from_environment(), "impatient-desk", "t-2")
    assert kept is not None and (kept.status, kept.approvals, kept.tool_calls) == ("answered", 1, 0)
    assert tool_answers(kept.transcript)["refund"]["outcome"] == "denied"


async def test_each_item_of_one_flow_run_asks_a_person_about_its_own_call() -> None:
    run = asyncio.create_task(two_tickets({"ticket-a": "Please refund order O-5001, it broke.",
                                           "ticket-b": "Please refund order O-5002, it never came."},
                                          return_state=True))
    first, [asked] = await paused_run("two-tickets")
    await aresume_flow_run(first, run_input={"decisions": [{**asked, "decision": "approve"}]})
    second = asyncio.create_task(paused_run("two-tickets"))
    await asyncio.wait({run, second}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if second.done() and not second.exception():
        _, [asked_again] = second.result()
        await aresume_flow_run(first, run_input={"decisions": [{**asked_again, "decision": "reject"}]})
    second.cancel()
    state = await asyncio.wait_for(run, timeout=60)
    assert state.is_completed(), state.message
    assert [arguments["order_id"] for _, arguments, _ in made] == ["O-5001"], \
        f"refunds made: {made}: the second ticket's refund was decided without a person"
    [row] = decisions({"agent": "refunds", "job": "ticket-b"})
    assert (row.decision, row.decided_by, json.loads(row.arguments)["order_id"]) == ("reject", "person", "O-5002")
