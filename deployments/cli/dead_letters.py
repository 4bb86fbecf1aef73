"""`agentic dead-letters list|show|replay|discard`: look at, replay and discard dead letters.

The store is the one AGENTIC_DATABASE_URL names (default sqlite:///.agentic/pipeline.db), or a saved Pipeline
Store block with `--store-block NAME`. `replay` runs the dead-letter-replay flow in this process against the
Prefect server PREFECT_API_URL names (a local one is started when none answers) and exits 1 when a replayed
document failed again. Times are UTC. `python -m deployments.dead_letters` is an alias of this group.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from blocks.dead_letters import DeadLetters
from blocks.resolve import load_or_environment
from blocks.store import PipelineStore
from blocks.tables import DEAD_LETTER_STATUSES, DISCARDED, DeadLetterRow
from deployments.cli.output import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
    console,
    fail,
    print_json,
    use_local_server,
)
from deployments.cli.times import utc_moment

ALL_STATUSES = "all"

app = typer.Typer(no_args_is_help=True, help="Look at, replay and discard dead letters.")

StoreBlock = Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: AGENTIC_DATABASE_URL).")]
Step = Annotated[str | None, typer.Option(help="Only this step (validate, extract_entities, enrich, summarize, "
                                               "review, publish, store).")]
ErrorType = Annotated[str | None, typer.Option(help="Only this error type, e.g. ConnectionFailed.")]
Since = Annotated[str | None, typer.Option(help="Only those last seen at or after this ISO date or datetime (UTC).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _letters(store_block: str | None) -> DeadLetters:
    """The dead letters of the store named (a saved block) or of the environment's store."""
    return DeadLetters(asyncio.run(load_or_environment(PipelineStore, store_block)))


def _since(value: str | None) -> datetime | None:
    return utc_moment(value, "--since") if value else None


def _when(moment: datetime | None) -> str:
    """A stored time as `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _document(row: DeadLetterRow) -> str:
    """The document's file name and the head of its id."""
    return f"{Path(row.source).name} [{row.document_id[:12]}]"


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
    """A rich table of plain-text cells (no markup read from stored values)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for cells in rows:
        table.add_row(*(Text(str(cell)) for cell in cells))
    return table


@app.command("list")
def list_letters(
    status: Annotated[str, typer.Option(help=f"One of {', '.join(DEAD_LETTER_STATUSES)} or {ALL_STATUSES}.")] = "open",
    step: Step = None,
    error_type: ErrorType = None,
    since: Since = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many, oldest first.")] = None,
    store_block: StoreBlock = None,
    json: AsJson = False,
) -> None:
    """A table of the dead letters matching the filters (open ones by default)."""
    if status not in (*DEAD_LETTER_STATUSES, ALL_STATUSES):
        fail(f"--status {status!r} is not one of {', '.join((*DEAD_LETTER_STATUSES, ALL_STATUSES))}", EXIT_USAGE)
    rows = _letters(store_block).list(status=None if status == ALL_STATUSES else status,  # type: ignore[arg-type]
                                      step=step, error_type=error_type, since=_since(since), limit=limit)
    if json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    console.print(_table(f"Dead letters ({status})",
                         ("id", "document", "step", "error type", "attempts", "last seen (UTC)", "status"),
                         [(r.id, _document(r), r.step, r.error_type, r.attempts, _when(r.last_seen), r.status)
                          for r in rows]))
    console.print(f"{len(rows)} dead letter(s)")


@app.command("show")
def show_letter(
    dead_letter_id: Annotated[int, typer.Argument(metavar="ID", help="The dead letter's number.")],
    store_block: StoreBlock = None,
    json: AsJson = False,
) -> None:
    """Everything about one dead letter, its error message and raw output in full."""
    row = _letters(store_block).get(dead_letter_id)
    if row is None:
        fail(f"no dead letter {dead_letter_id}", EXIT_NOT_FOUND)
    if json:
        print_json(row.model_dump(mode="json"))
        return
    fields: list[tuple[str, Any]] = [
        ("id", row.id), ("status", row.status), ("document", row.document_id), ("source", row.source),
        ("step", row.step), ("error type", row.error_type), ("attempts", row.attempts),
        ("first seen (UTC)", _when(row.first_seen)), ("last seen (UTC)", _when(row.last_seen)),
        ("flow run", row.flow_run_id or ""), ("inputs", row.inputs_ref or "none (rejected input: not replayable)"),
    ]
    for name, value in fields:
        console.print(f"{name + ':':<18}{value}", markup=False, highlight=False)
    for title, text in (("error message:", row.error_message),
                        ("raw output:", row.raw_output if row.raw_output is not None else "(none)")):
        console.print(title, markup=False)
        console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("replay")
def replay_letters(
    dead_letter_id: Annotated[list[int] | None,
                              typer.Option("--id", help="Only this dead letter (repeatable).")] = None,
    step: Step = None,
    error_type: ErrorType = None,
    since: Since = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many, oldest first (default 100).")] = None,
    language_model: Annotated[str | None, typer.Option(help="A saved Language Model block.")] = None,
    enrichment_api: Annotated[str | None, typer.Option(help="A saved Enrichment API block.")] = None,
    store_block: StoreBlock = None,
    json: AsJson = False,
) -> None:
    """Run open dead letters through the document pipeline again, here, and print what it did."""
    moment = _since(since)
    use_local_server()
    from domain.models.documents import ReplayReport
    from flows.dead_letter_replay import DEFAULT_REPLAY_LIMIT, dead_letter_replay

    state = asyncio.run(dead_letter_replay(
        step=step, error_type=error_type, since=moment, ids=dead_letter_id or None,
        limit=limit or DEFAULT_REPLAY_LIMIT, language_model=language_model, enrichment_api=enrichment_api,
        store=store_block, return_state=True,
    ))
    report = state.result(raise_on_failure=False)
    if not isinstance(report, ReplayReport):
        fail(f"the replay ended {state.name}: {state.message}")
    code = EXIT_OK if state.is_completed() else EXIT_FAILED
    if json:
        print_json({"state": state.name, "headline": report.headline(), "items": report.table_rows(),
                    "pipeline_flow_run_id": report.pipeline_flow_run_id,
                    "pipeline_message": report.pipeline_message})
    else:
        console.print(_table("Dead-letter replay", ("id", "document", "step", "result", "attempts", "detail"),
                             [tuple(row.values()) for row in report.table_rows()]))
        console.print(report.headline(), markup=False)
        if report.pipeline_flow_run_id:
            console.print(f"document pipeline run {report.pipeline_flow_run_id}: {report.pipeline_message}",
                          markup=False)
    raise typer.Exit(code)


@app.command("discard")
def discard_letters(
    dead_letter_ids: Annotated[list[int], typer.Argument(metavar="ID...", help="The dead letters to give up on.")],
    store_block: StoreBlock = None,
) -> None:
    """Give up on dead letters (they stay in the table, marked discarded)."""
    letters = _letters(store_block)
    known = {row.id for row in letters.list(ids=dead_letter_ids)}
    changed = letters.mark(dead_letter_ids, DISCARDED)
    console.print(f"discarded {len(changed)} dead letter(s): {', '.join(str(r.id) for r in changed) or 'none'}")
    unknown = [i for i in dead_letter_ids if i not in known]
    if unknown:
        fail(f"no dead letter {', '.join(map(str, unknown))}", EXIT_NOT_FOUND)
