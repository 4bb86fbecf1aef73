"""`agentic review`: the runs waiting for a person's review, and resuming one with decisions from a file."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import httpx
import typer

from agentic_kit.operate import (
    EXIT_NOT_FOUND,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    fail,
    print_json,
    use_local_server,
)

if TYPE_CHECKING:
    from deployments.review_queue import WaitingReview

app = typer.Typer(no_args_is_help=True)

T = TypeVar("T")
SUMMARY_WIDTH = 100
"""How much of a summary the listing shows (`--json` gives all of it)."""


def _run(api_url: str, work: Coroutine[Any, Any, T]) -> T:
    """Run work against the Prefect server at api_url; a one-line error and its exit code when it cannot be done."""
    # The review queue imports Prefect, which reads its settings (PREFECT_API_URL) when first imported: each command
    # imports it once use_local_server() has chosen the server.
    from deployments.review_queue import ReviewError, RunNotWaiting

    try:
        return asyncio.run(work)
    except RunNotWaiting as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except ReviewError as exc:
        fail(str(exc), EXIT_USAGE)
    except httpx.HTTPError as exc:
        fail(f"the Prefect server at {api_url} does not answer ({type(exc).__name__}): is it running?",
             EXIT_UNAVAILABLE)


def _print_review(review: WaitingReview) -> None:
    """A run waiting for review, then one line a document."""
    since = review.waiting_since.isoformat(timespec="seconds") if review.waiting_since else "unknown"
    console.print(f"{review.flow_run_id}  {review.flow_run_name}  waiting since {since}\n  {review.url}",
                  markup=False, highlight=False, soft_wrap=True)
    for document in review.documents:
        score = "-" if document.score is None else f"{document.score:.2f}"
        summary = (document.summary or "").replace("\n", " ")
        console.print(f"  score {score}  {document.document}  {document.document_id[:12]}\n"
                      f"    {summary[:SUMMARY_WIDTH]}{'…' if len(summary) > SUMMARY_WIDTH else ''}",
                      markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_reviews(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """The runs waiting for review: link, documents held (score, summary) and since when."""
    api_url = use_local_server()
    from deployments.review_queue import waiting_reviews

    reviews = _run(api_url, waiting_reviews())
    if as_json:
        print_json([review.model_dump(mode="json") for review in reviews])
        return
    if not reviews:
        console.print("No run is waiting for review.")
    for review in reviews:
        _print_review(review)


@app.command("resume")
def resume_review(
    flow_run_id: UUID = typer.Argument(..., help="The flow run waiting for review."),
    decision_file: Path = typer.Argument(..., help='JSON: {"decisions": [{"document_id", "decision", "summary", '
                                                   '"note"}]}; documents it does not name get the default.'),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Resume a run waiting for review with the decisions of a JSON file."""
    api_url = use_local_server()
    from deployments.review_queue import DecisionFileMissing, ReviewError, read_decisions, resume

    try:
        decisions = read_decisions(decision_file)
    except DecisionFileMissing as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except ReviewError as exc:
        fail(str(exc), EXIT_USAGE)
    review = _run(api_url, resume(flow_run_id, decisions))
    decided = len(decisions.decisions)
    if as_json:
        print_json({"flow_run_id": str(flow_run_id), "decisions": decided,
                    "defaulted": len(review.documents) - decided, "url": review.url})
        return
    console.print(f"Resumed {flow_run_id} with {decided} decision(s); {len(review.documents) - decided} document(s) "
                  f"get the default. {review.url}", markup=False, highlight=False, soft_wrap=True)
