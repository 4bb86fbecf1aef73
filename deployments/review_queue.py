"""The runs waiting for a person's review, and resuming one of them with decisions from a file.

What a run holds for review is read from the form it paused with (the run input schema Prefect keeps for
the UI: each document's score, critique and summary are the form's starting values), so the list shows
exactly what the UI's form would, and nothing is kept twice.

The decision file: {"decisions": [{"document_id": "<sha256>", "decision": "approve" | "reject",
"summary": "<optional replacement>", "note": "<why>"}]}. Documents it does not name get the run's default
decision. Resuming with it does what the form in the Prefect UI does.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from uuid import UUID

from prefect import get_client, resume_flow_run
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import ObjectNotFound
from prefect.utilities.urls import url_for
from pydantic import BaseModel, ValidationError

from agentic_kit.models import DocumentDecision
from tasks.documents.review_gate import PAUSE_KEY, ReviewDecisions

PIPELINE_FLOW = "document-pipeline"


class ReviewError(Exception):
    """A review cannot be listed or resumed as asked; the message says why in one line."""


class RunNotWaiting(ReviewError):
    """The flow run does not exist or is not waiting for a review."""


class DecisionFileMissing(ReviewError):
    """The decision file cannot be read."""


class WaitingReview(BaseModel):
    """A run paused at the review gate and the documents it holds."""

    flow_run_id: UUID
    flow_run_name: str
    url: str
    waiting_since: datetime | None
    documents: list[DocumentDecision]


def read_decisions(path: Path) -> ReviewDecisions:
    """The decision file, validated; ReviewError with the reason when it is not usable."""
    try:
        return ReviewDecisions.model_validate(json.loads(path.read_text()))
    except OSError as exc:
        raise DecisionFileMissing(f"{path}: cannot read the decision file: {exc.strerror}") from None
    except (ValueError, ValidationError) as exc:
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise ReviewError(f"{path}: not a usable decision file: {reason}") from None


def _review_form(run: FlowRun) -> dict[str, str] | None:
    """The keys of the form a run paused with at the review gate; None when it is not waiting there."""
    state = run.state
    if state is None or not state.is_paused() or state.state_details.pause_key != PAUSE_KEY:
        return None
    return state.state_details.run_input_keyset


async def _waiting(run: FlowRun, form: dict[str, str]) -> WaitingReview:
    """The review a paused run waits for, from the starting values of its form."""
    async with get_client() as client:
        schema = json.loads(await client.read_flow_run_input(run.id, form["schema"]))
    proposals = schema.get("properties", {}).get("decisions", {}).get("default", [])
    return WaitingReview(flow_run_id=run.id, flow_run_name=run.name, url=url_for("flow-run", obj_id=run.id) or "",
                         waiting_since=run.state.timestamp if run.state else None,
                         documents=[DocumentDecision.model_validate(p) for p in proposals])


async def waiting_reviews() -> list[WaitingReview]:
    """Every document-pipeline run paused for review, the longest waiting first."""
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[PIPELINE_FLOW])),
                                           flow_run_filter=paused, sort=FlowRunSort.START_TIME_ASC)
    return [await _waiting(run, form) for run in runs if (form := _review_form(run))]


async def resume(flow_run_id: UUID, decisions: ReviewDecisions) -> WaitingReview:
    """Resume the run waiting for review with these decisions; the review it waited for."""
    async with get_client() as client:
        try:
            run = await client.read_flow_run(flow_run_id)
        except ObjectNotFound:
            raise RunNotWaiting(f"flow run {flow_run_id} does not exist") from None
    form = _review_form(run)
    if form is None:
        state = run.state.name if run.state else "without a state"
        raise RunNotWaiting(f"flow run {flow_run_id} is not waiting for review (it is {state})")
    review = await _waiting(run, form)
    held = {document.document_id for document in review.documents}
    unknown = [d.document_id for d in decisions.decisions if d.document_id not in held]
    if unknown:
        raise ReviewError(f"the decision file names document {unknown[0]}, which this run does not hold for review")
    await resume_flow_run(flow_run_id, run_input=decisions.model_dump(include={"decisions"}))
    return review
