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

Nothing here imports Prefect when the module loads: a command chooses its Prefect API (use_local_server) before
anything imports it, since Prefect reads its settings when first imported.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from agentic_kit._blocks.tables import (
    DEAD_LETTER_STATUSES,
    DISCARDED,
    DOCUMENT_PIPELINE,
    OPEN,
    REPLAYED,
    DeadLetterRow,
)
from agentic_kit._operate.cli.output import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    errors,
    fail,
    print_json,
    use_local_server,
)
from agentic_kit._operate.cli.times import utc_moment

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.states import State

    from agentic_kit._blocks.dead_letters import DeadLetters
    from agentic_kit._domain.models.documents import ReplayItem, ReplayReport

ALL_STATUSES = "all"
DEFAULT_REPLAY_LIMIT = 100
"""The most dead letters one replay takes (oldest first); run it again for the rest."""
BLOCK_OPTIONS = {"language_model": "--language-model", "enrichment_api": "--enrichment-api", "store": "--store-block"}
"""The replay flow parameters the command passes a saved block's name to, when given and the flow takes them."""

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
    console.print(_table(f"Dead letters ({status})", columns, cells))
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


@dataclass
class _Replay:
    """One replay flow's run over the letters of its entrypoint, and what it reported."""

    entrypoint: str
    rows: list[DeadLetterRow]
    state: State[Any]
    report: ReplayReport | None

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows if row.id is not None]

    @property
    def pipelines(self) -> list[str]:
        return list(dict.fromkeys(row.pipeline for row in self.rows))

    @property
    def flow_run_id(self) -> str | None:
        run_id = self.state.state_details.flow_run_id
        return str(run_id) if run_id else None


class Unusable(Exception):
    """A replay entrypoint that cannot be imported, or names no replay flow."""


def _import_flow(entrypoint: str) -> Flow[..., Any]:
    """The Prefect flow `module:attribute` names, imported from the project folder (the current directory first on
    the import path); Unusable, in plain words, when it cannot be, or is no replay flow."""
    from prefect import Flow

    module_name, _, attribute = entrypoint.partition(":")
    if not module_name or not attribute:
        raise Unusable("it is not module:attribute")
    project_root = os.getcwd()
    if project_root not in sys.path:
        sys.path.insert(0, project_root)
    try:
        flow: Any = importlib.import_module(module_name)
    except Exception as exc:  # any error importing the project's module: the entrypoint is unusable
        raise Unusable(f"{type(exc).__name__}: {exc}") from exc
    for name in attribute.split("."):  # an attribute path: module:pipeline.replay
        flow = getattr(flow, name, None)
    if not isinstance(flow, Flow):
        raise Unusable(f"{module_name} has no Prefect flow called {attribute}")
    if not _takes(flow, "ids"):
        raise Unusable(f"the flow {flow.name} takes no ids parameter (the dead letters to replay)")
    return flow


def _takes(flow: Flow[..., Any], parameter: str) -> bool:
    """Whether the flow's function takes this keyword parameter."""
    parameters = inspect.signature(flow.fn).parameters
    return parameter in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def _run_replay(flow: Flow[..., Any], ids: list[int], blocks: dict[str, str | None]) -> State[Any]:
    """Run a replay flow here on these dead letters with the block options it takes; its final state."""
    parameters: dict[str, Any] = {"ids": ids}
    if _takes(flow, "limit"):
        parameters["limit"] = len(ids)
    for name, value in blocks.items():
        if value is None:
            continue
        if _takes(flow, name):
            parameters[name] = value
        else:
            errors.print(f"agentic: {BLOCK_OPTIONS[name]} not passed: {flow.name} takes no {name}",
                         markup=False, highlight=False)
    running = flow(**parameters, return_state=True)
    return asyncio.run(running) if inspect.isawaitable(running) else running  # type: ignore[return-value]


def _report_from_store(letters: DeadLetters, rows: list[DeadLetterRow], state: State[Any]) -> ReplayReport:
    """What a replay flow that returned no ReplayReport did, read from its letters' status once it ran."""
    from agentic_kit._domain.models.documents import ReplayItem, ReplayReport, ReplayResult

    now = {row.id: row for row in letters.list(ids=[row.id for row in rows if row.id is not None])}
    items: list[ReplayItem] = []
    for row in rows:
        current = now.get(row.id, row)
        result: ReplayResult
        if current.status == REPLAYED:
            result, detail = "replayed", "processed"
        elif current.status == DISCARDED:
            result, detail = "not_replayable", "discarded"
        else:
            ended = f"{state.name}: {state.message}" if state.message else state.name
            result, detail = "still_failing", f"still open after its replay ended {ended}"
        assert row.id is not None
        items.append(ReplayItem(dead_letter_id=row.id, document_id=row.document_id, source=row.source,
                                step=row.step, result=result, detail=detail,
                                attempts=current.attempts))
    return ReplayReport(items=items)


def _not_replayable(rows: list[DeadLetterRow]) -> list[ReplayItem]:
    """Letters of a pipeline that named no replay flow: nothing can replay them."""
    from agentic_kit._domain.models.documents import ReplayItem

    return [ReplayItem(dead_letter_id=row.id, document_id=row.document_id, source=row.source, step=row.step,
                       result="not_replayable", attempts=row.attempts,
                       detail=f"{row.pipeline} recorded it with no replay flow; discard it once handled")
            for row in rows if row.id is not None]


def _label(replay: _Replay) -> str:
    """The pipelines a replay ran, as a person reads them: document-pipeline is the document pipeline."""
    return " and ".join(pipeline.replace("-", " ") for pipeline in replay.pipelines)


def _print_replays(replays: list[_Replay], unrouted: list[ReplayItem], json: bool) -> int:
    """The replays' table (or JSON) and headline; the exit code."""
    from agentic_kit._blocks.dead_letters import DOCUMENT_REPLAY_ENTRYPOINT
    from agentic_kit._domain.models.documents import ReplayReport

    reports = [replay.report for replay in replays if replay.report is not None]
    combined = ReplayReport(items=[item for report in reports for item in report.items] + unrouted)
    unfinished = [replay for replay in replays if not replay.state.is_completed()]
    failed_again = any(report.count("still_failing") for report in reports)
    code = EXIT_FAILED if unfinished or failed_again else EXIT_OK
    single = replays[0] if len(replays) == 1 else None
    state = single.state.name if single else (unfinished[0].state.name if unfinished else "Completed")
    if json:
        print_json({
            "state": state, "headline": combined.headline(), "items": combined.table_rows(),
            "pipeline_flow_run_id": single.report.pipeline_flow_run_id if single and single.report else None,
            "pipeline_message": single.report.pipeline_message if single and single.report else None,
            "replays": [{"entrypoint": r.entrypoint, "pipelines": r.pipelines, "ids": r.ids, "state": r.state.name,
                         "flow_run_id": r.flow_run_id, "headline": r.report.headline() if r.report else None,
                         "pipeline_flow_run_id": r.report.pipeline_flow_run_id if r.report else None,
                         "pipeline_message": r.report.pipeline_message if r.report else None}
                        for r in replays],
        })
        return code
    console.print(_table("Dead-letter replay", ("id", "document", "step", "result", "attempts", "detail"),
                         [tuple(row.values()) for row in combined.table_rows()]))
    console.print(combined.headline(), markup=False)
    for replay in replays:
        if replay.report and replay.report.pipeline_flow_run_id:
            console.print(f"{_label(replay)} run {replay.report.pipeline_flow_run_id}: "
                          f"{replay.report.pipeline_message}", markup=False)
        if replay.entrypoint != DOCUMENT_REPLAY_ENTRYPOINT:
            console.print(f"replayed by {replay.entrypoint}, flow run {replay.flow_run_id}: {replay.state.name}",
                          markup=False)
    return code


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
    from agentic_kit._blocks.dead_letters import replay_entrypoint_of
    from agentic_kit._domain.models.documents import ReplayReport

    letters = _letters(store_block)
    rows = letters.list(status=OPEN, pipeline=pipeline, step=step, error_type=error_type, since=moment,
                        ids=dead_letter_id or None, limit=limit or DEFAULT_REPLAY_LIMIT)
    groups: dict[str, list[DeadLetterRow]] = {}
    unrouted: list[DeadLetterRow] = []
    for row in rows:
        entrypoint = replay_entrypoint_of(row)
        (groups.setdefault(entrypoint, []) if entrypoint else unrouted).append(row)

    flows: dict[str, Flow[..., Any]] = {}
    unusable: list[str] = []
    for entrypoint, group in groups.items():
        try:
            flows[entrypoint] = _import_flow(entrypoint)
        except Unusable as exc:
            unusable.append(f"cannot import the replay flow {entrypoint} of dead letter(s) "
                            f"{', '.join(str(row.id) for row in group)} ({exc}); they stay open")
    if unusable:
        fail("; ".join(unusable), EXIT_UNAVAILABLE)

    blocks = {"language_model": language_model, "enrichment_api": enrichment_api, "store": store_block}
    replays: list[_Replay] = []
    for entrypoint, group in groups.items():
        state = _run_replay(flows[entrypoint], [row.id for row in group if row.id is not None], blocks)
        result = state.result(raise_on_failure=False)
        report = result if isinstance(result, ReplayReport) else (
            _report_from_store(letters, group, state) if state.is_completed() else None)
        replays.append(_Replay(entrypoint, group, state, report))
    if len(replays) == 1 and replays[0].report is None and not unrouted:
        fail(f"the replay ended {replays[0].state.name}: {replays[0].state.message}")
    for replay in replays:
        if replay.report is None:  # it ended without a report: what it did is in the store
            replay.report = _report_from_store(letters, replay.rows, replay.state)
    raise typer.Exit(_print_replays(replays, _not_replayable(unrouted), json))


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
