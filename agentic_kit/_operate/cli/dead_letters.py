"""`agentic dead-letters list|show|replay|discard`: look at, replay and discard the dead letters of any pipeline.

The store is the one AGENTIC_DATABASE_URL names (default sqlite:///.agentic/pipeline.db), or a saved Pipeline
Store block with `--store-block NAME`. Times are UTC. `python -m deployments.dead_letters` is an alias of this group.

`replay` sends each open dead letter back through the pipeline that recorded it, never another one: it groups the
letters by their replay entrypoint (`module:attribute` of a Prefect flow; a row of an older store, which names
none, is the document pipeline's, flows.dead_letter_replay:dead_letter_replay), imports each from the project
folder (the current directory first on the import path, as Prefect's deployments do) and runs it in this process
with `ids=[…]` and the block options given that it takes (`limit`, `store`, `language_model`, `enrichment_api`),
against the Prefect server PREFECT_API_URL names (a local one is started when none answers). The replay flow, not
this command, marks a letter replayed, once its pipeline processed the item: a flow that returns no ReplayReport
is reported from the letters' status in the store after it ran. An entrypoint that cannot be imported stops the
command before any flow runs (exit 4; every letter stays open); a replayed letter that failed again exits 1.
The replay itself, past choosing the letters, is agentic_kit/_operate/cli/dead_letter_replay.py.

Nothing here imports Prefect when the module loads: a command chooses its Prefect API (use_local_server) before
anything imports it, since Prefect reads its settings when first imported.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentic_kit._blocks.tables import DEAD_LETTER_STATUSES, DISCARDED, DOCUMENT_PIPELINE, OPEN, DeadLetterRow
from agentic_kit._operate.cli.dead_letter_replay import replay_and_report
from agentic_kit._operate.cli.output import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    console,
    fail,
    plain_table,
    print_json,
    use_local_server,
)
from agentic_kit._operate.cli.times import utc_moment

if TYPE_CHECKING:
    from agentic_kit._blocks.dead_letters import DeadLetters

ALL_STATUSES = "all"
DEFAULT_REPLAY_LIMIT = 100
"""The most dead letters one replay takes (oldest first); run it again for the rest."""

app = typer.Typer(no_args_is_help=True, help="Look at, replay and discard dead letters.")
dead_letters_app = app
"""The group as `agentic_kit.operate.dead_letters_app`, for aliases such as `python -m deployments.dead_letters`."""

StoreBlock = Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: AGENTIC_DATABASE_URL).")]
Pipeline = Annotated[str | None, typer.Option(help="Only this pipeline's (the flow that recorded them, e.g. "
                                                   "document-pipeline).")]
Step = Annotated[str | None, typer.Option(help="Only this step (validate, extract_entities, enrich, summarize, "
                                               "review, publish, store).")]
ErrorType = Annotated[str | None, typer.Option(help="Only this error type, e.g. ConnectionFailed.")]
Since = Annotated[str | None, typer.Option(help="Only those last seen at or after this ISO date or datetime (UTC).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _letters(store_block: str | None) -> DeadLetters:
    """The dead letters of the store named (a saved block, read from the Prefect server) or of the environment's."""
    if store_block:
        use_local_server()
    from agentic_kit._blocks.dead_letters import DeadLetters
    from agentic_kit._blocks.resolve import load_or_environment
    from agentic_kit._blocks.store import PipelineStore

    return DeadLetters(asyncio.run(load_or_environment(PipelineStore, store_block)))


def _since(value: str | None) -> datetime | None:
    return utc_moment(value, "--since") if value else None


def _when(moment: datetime | None) -> str:
    """A stored time as `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _document(row: DeadLetterRow) -> str:
    """The item's file name and the head of its id."""
    return f"{Path(row.source).name} [{row.document_id[:12]}]"


@app.command("list")
def list_letters(
    status: Annotated[str, typer.Option(help=f"One of {', '.join(DEAD_LETTER_STATUSES)} or {ALL_STATUSES}.")] = "open",
    pipeline: Pipeline = None,
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
                                      pipeline=pipeline, step=step, error_type=error_type, since=_since(since),
                                      limit=limit)
    if json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    columns: tuple[str, ...] = ("id", "document", "step", "error type", "attempts", "last seen (UTC)", "status")
    cells: list[tuple[Any, ...]] = [(r.id, _document(r), r.step, r.error_type, r.attempts, _when(r.last_seen),
                                     r.status) for r in rows]
    if any(row.pipeline != DOCUMENT_PIPELINE for row in rows):  # the document pipeline's alone: the table as it was
        columns = ("id", "pipeline", *columns[1:])
        cells = [(cell[0], row.pipeline, *cell[1:]) for cell, row in zip(cells, rows, strict=True)]
    console.print(plain_table(f"Dead letters ({status})", columns, cells))
    console.print(f"{len(rows)} dead letter(s)")


@app.command("show")
def show_letter(
    dead_letter_id: Annotated[int, typer.Argument(metavar="ID", help="The dead letter's number.")],
    store_block: StoreBlock = None,
    json: AsJson = False,
) -> None:
    """Everything about one dead letter, its error message and raw output (and item, if kept) in full."""
    row = _letters(store_block).get(dead_letter_id)
    if row is None:
        fail(f"no dead letter {dead_letter_id}", EXIT_NOT_FOUND)
    if json:
        print_json(row.model_dump(mode="json"))
        return
    from agentic_kit._blocks.dead_letters import replay_entrypoint_of

    document = row.pipeline == DOCUMENT_PIPELINE
    fields: list[tuple[str, Any]] = [("id", row.id), ("status", row.status)]
    if not document:
        fields += [("pipeline", row.pipeline), ("replay flow", replay_entrypoint_of(row) or "none (not replayable)")]
    fields += [
        ("document" if document else "item", row.document_id), ("source", row.source),
        ("step", row.step), ("error type", row.error_type), ("attempts", row.attempts),
        ("first seen (UTC)", _when(row.first_seen)), ("last seen (UTC)", _when(row.last_seen)),
        ("flow run", row.flow_run_id or ""),
    ]
    if document:
        fields.append(("inputs", row.inputs_ref or "none (rejected input: not replayable)"))
    for name, value in fields:
        console.print(f"{name + ':':<18}{value}", markup=False, highlight=False)
    texts = [("error message:", row.error_message),
             ("raw output:", row.raw_output if row.raw_output is not None else "(none)")]
    if not document:
        texts.append(("item:", row.item_payload if row.item_payload is not None else "(none)"))
    for title, text in texts:
        console.print(title, markup=False)
        console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("replay")
def replay_letters(
    dead_letter_id: Annotated[list[int] | None,
                              typer.Option("--id", help="Only this dead letter (repeatable).")] = None,
    pipeline: Pipeline = None,
    step: Step = None,
    error_type: ErrorType = None,
    since: Since = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many, oldest first (default 100).")] = None,
    language_model: Annotated[str | None, typer.Option(help="A saved Language Model block.")] = None,
    enrichment_api: Annotated[str | None, typer.Option(help="A saved Enrichment API block.")] = None,
    store_block: StoreBlock = None,
    json: AsJson = False,
) -> None:
    """Run open dead letters again, here, each through the pipeline that recorded it, and print what it did."""
    moment = _since(since)
    use_local_server()
    letters = _letters(store_block)
    rows = letters.list(status=OPEN, pipeline=pipeline, step=step, error_type=error_type, since=moment,
                        ids=dead_letter_id or None, limit=limit or DEFAULT_REPLAY_LIMIT)
    blocks = {"language_model": language_model, "enrichment_api": enrichment_api, "store": store_block}
    raise typer.Exit(replay_and_report(letters, rows, blocks, json))


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
