"""Look at, replay and discard dead letters from the command line.

    python -m deployments.dead_letters list [--status open|replayed|discarded|all] [--step STEP]
                                            [--error-type TYPE] [--since ISO] [--limit N]
    python -m deployments.dead_letters show ID
    python -m deployments.dead_letters replay [--id ID …] [--step STEP] [--error-type TYPE] [--since ISO]
                                              [--limit N] [--language-model NAME] [--enrichment-api NAME]
    python -m deployments.dead_letters discard ID [ID …]

The store is the one AGENTIC_DATABASE_URL names (default sqlite:///.agentic/pipeline.db), or a saved
Pipeline Store block with `--store-block NAME`. `replay` runs the dead-letter-replay flow in this
process against the Prefect server PREFECT_API_URL names, and prints what it did; it exits 1 when a
replayed document failed again. Times are UTC.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from blocks.dead_letters import DeadLetters
from blocks.resolve import load_or_environment
from blocks.store import PipelineStore
from blocks.tables import DEAD_LETTER_STATUSES, DISCARDED, DeadLetterRow

CONSOLE_WIDTH = 160
ALL_STATUSES = "all"

console = Console(width=CONSOLE_WIDTH)


def _when(moment: datetime | None) -> str:
    """A stored time as `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _document(row: DeadLetterRow) -> str:
    """The document's file name and the head of its id."""
    return f"{Path(row.source).name} [{row.document_id[:12]}]"


def _since(value: str) -> datetime:
    """An ISO date or datetime (naive means UTC)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or datetime: {value!r}") from None


def list_letters(letters: DeadLetters, args: argparse.Namespace) -> int:
    """Print the dead letters matching the filters as a table."""
    status = None if args.status == ALL_STATUSES else args.status
    rows = letters.list(status=status, step=args.step, error_type=args.error_type, since=args.since,
                        limit=args.limit)
    table = Table(title=f"Dead letters ({args.status})")
    for column in ("id", "document", "step", "error type", "attempts", "last seen (UTC)", "status"):
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = (row.id, _document(row), row.step, row.error_type, row.attempts, _when(row.last_seen), row.status)
        table.add_row(*(Text(str(cell)) for cell in cells))
    console.print(table)
    console.print(f"{len(rows)} dead letter(s)")
    return 0


def show_letter(letters: DeadLetters, args: argparse.Namespace) -> int:
    """Print everything about one dead letter, its error message and raw output in full."""
    row = letters.get(args.id)
    if row is None:
        console.print(f"no dead letter {args.id}")
        return 1
    fields: list[tuple[str, Any]] = [
        ("id", row.id), ("status", row.status), ("document", row.document_id), ("source", row.source),
        ("step", row.step), ("error type", row.error_type), ("attempts", row.attempts),
        ("first seen (UTC)", _when(row.first_seen)), ("last seen (UTC)", _when(row.last_seen)),
        ("flow run", row.flow_run_id or ""), ("inputs", row.inputs_ref or "none (rejected input: not replayable)"),
    ]
    for name, value in fields:
        console.print(f"{name + ':':<18}{value}", markup=False, highlight=False)
    console.print("error message:", markup=False)
    console.print(row.error_message, markup=False, highlight=False, soft_wrap=True)
    console.print("raw output:", markup=False)
    console.print(row.raw_output if row.raw_output is not None else "(none)", markup=False, highlight=False,
                  soft_wrap=True)
    return 0


def discard_letters(letters: DeadLetters, args: argparse.Namespace) -> int:
    """Mark dead letters discarded; say which, and which ids were unknown."""
    known = {row.id for row in letters.list(ids=args.ids)}
    changed = letters.mark(args.ids, DISCARDED)
    console.print(f"discarded {len(changed)} dead letter(s): {', '.join(str(r.id) for r in changed) or 'none'}")
    unknown = [i for i in args.ids if i not in known]
    if unknown:
        console.print(f"no dead letter {', '.join(map(str, unknown))}")
    return 1 if unknown else 0


def replay_letters(args: argparse.Namespace) -> int:
    """Run the replay flow here and print its result table and headline."""
    from domain.models.documents import ReplayReport
    from flows.dead_letter_replay import dead_letter_replay

    state = asyncio.run(dead_letter_replay(
        step=args.step, error_type=args.error_type, since=args.since, ids=args.ids, limit=args.limit,
        language_model=args.language_model, enrichment_api=args.enrichment_api, store=args.store_block,
        return_state=True,
    ))
    report = state.result(raise_on_failure=False)
    if not isinstance(report, ReplayReport):
        console.print(f"The replay ended {state.name}: {state.message}", markup=False)
        return 1
    table = Table(title="Dead-letter replay")
    for column in ("id", "document", "step", "result", "attempts", "detail"):
        table.add_column(column, overflow="fold")
    for row in report.table_rows():
        table.add_row(*(Text(str(value)) for value in row.values()))
    console.print(table)
    console.print(report.headline(), markup=False)
    if report.pipeline_flow_run_id:
        console.print(f"document pipeline run {report.pipeline_flow_run_id}: {report.pipeline_message}", markup=False)
    return 0 if state.is_completed() else 1


def parser() -> argparse.ArgumentParser:
    """The command line: list, show, replay, discard."""
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store-block", default=argparse.SUPPRESS,
                       help="a saved Pipeline Store block (default: AGENTIC_DATABASE_URL)")
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--step", help="only this step (validate, extract_entities, enrich, summarize, review, store)")
    filters.add_argument("--error-type", help="only this error type, e.g. ConnectionFailed")
    filters.add_argument("--since", type=_since, help="only those last seen at or after this ISO datetime (UTC)")
    filters.add_argument("--limit", type=int, help="at most this many, oldest first")

    main = argparse.ArgumentParser(prog="python -m deployments.dead_letters", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--store-block", default=None,
                      help="a saved Pipeline Store block (default: AGENTIC_DATABASE_URL)")
    commands = main.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", parents=[store, filters], help="a table of dead letters")
    listing.add_argument("--status", default="open", choices=[*DEAD_LETTER_STATUSES, ALL_STATUSES])
    show = commands.add_parser("show", parents=[store], help="everything about one dead letter")
    show.add_argument("id", type=int)
    replay = commands.add_parser("replay", parents=[store, filters], help="run open dead letters through the pipeline")
    replay.add_argument("--id", type=int, action="append", dest="ids", help="only this dead letter (repeatable)")
    replay.add_argument("--language-model", help="a saved Language Model block (default: the environment)")
    replay.add_argument("--enrichment-api", help="a saved Enrichment API block (default: the environment)")
    discard = commands.add_parser("discard", parents=[store], help="give up on dead letters (they stay, marked)")
    discard.add_argument("ids", type=int, nargs="+", metavar="ID")
    return main


def main() -> None:
    """Parse the command line, run the command, exit with its code."""
    args = parser().parse_args()
    if args.command == "replay":
        if args.limit is None:
            from flows.dead_letter_replay import DEFAULT_REPLAY_LIMIT

            args.limit = DEFAULT_REPLAY_LIMIT
        raise SystemExit(replay_letters(args))
    store = asyncio.run(load_or_environment(PipelineStore, args.store_block))
    letters = DeadLetters(store)
    commands = {"list": list_letters, "show": show_letter, "discard": discard_letters}
    raise SystemExit(commands[args.command](letters, args))


if __name__ == "__main__":
    main()
