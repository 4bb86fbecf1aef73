"""`agentic dead-letters replay`, the replay itself: each group of open letters through the replay flow its
entrypoint names, run in this process, then the replays' table (or JSON) and the exit code.

Nothing here imports Prefect when the module loads (agentic_kit/_operate/cli/dead_letters.py says why).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentic_kit._blocks.tables import DISCARDED, REPLAYED, DeadLetterRow
from agentic_kit._operate.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    console,
    errors,
    fail,
    plain_table,
    print_json,
)

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.states import State

    from agentic_kit._blocks.dead_letters import DeadLetters
    from agentic_kit._domain.models.documents import ReplayItem, ReplayReport

BLOCK_OPTIONS = {"language_model": "--language-model", "enrichment_api": "--enrichment-api", "store": "--store-block"}
"""The replay flow parameters the command passes a saved block's name to, when given and the flow takes them."""


@dataclass
class Replay:
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


def import_replay_flow(entrypoint: str) -> Flow[..., Any]:
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


def _label(replay: Replay) -> str:
    """The pipelines a replay ran, as a person reads them: document-pipeline is the document pipeline."""
    return " and ".join(pipeline.replace("-", " ") for pipeline in replay.pipelines)


def _print_replays(replays: list[Replay], unrouted: list[ReplayItem], json: bool) -> int:
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
    console.print(plain_table("Dead-letter replay", ("id", "document", "step", "result", "attempts", "detail"),
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


def replay_and_report(letters: DeadLetters, rows: list[DeadLetterRow], blocks: dict[str, str | None],
                      json: bool) -> int:
    """Replay the letters, each group through its entrypoint's flow with the block options given; print what the
    replays did and return the exit code (an entrypoint that cannot be imported fails before any flow runs)."""
    from agentic_kit._blocks.dead_letters import replay_entrypoint_of
    from agentic_kit._domain.models.documents import ReplayReport

    groups: dict[str, list[DeadLetterRow]] = {}
    unrouted: list[DeadLetterRow] = []
    for row in rows:
        entrypoint = replay_entrypoint_of(row)
        (groups.setdefault(entrypoint, []) if entrypoint else unrouted).append(row)

    flows: dict[str, Flow[..., Any]] = {}
    unusable: list[str] = []
    for entrypoint, group in groups.items():
        try:
            flows[entrypoint] = import_replay_flow(entrypoint)
        except Unusable as exc:
            unusable.append(f"cannot import the replay flow {entrypoint} of dead letter(s) "
                            f"{', '.join(str(row.id) for row in group)} ({exc}); they stay open")
    if unusable:
        fail("; ".join(unusable), EXIT_UNAVAILABLE)

    replays: list[Replay] = []
    for entrypoint, group in groups.items():
        state = _run_replay(flows[entrypoint], [row.id for row in group if row.id is not None], blocks)
        result = state.result(raise_on_failure=False)
        report = result if isinstance(result, ReplayReport) else (
            _report_from_store(letters, group, state) if state.is_completed() else None)
        replays.append(Replay(entrypoint, group, state, report))
    if len(replays) == 1 and replays[0].report is None and not unrouted:
        fail(f"the replay ended {replays[0].state.name}: {replays[0].state.message}")
    for replay in replays:
        if replay.report is None:  # it ended without a report: what it did is in the store
            replay.report = _report_from_store(letters, replay.rows, replay.state)
    return _print_replays(replays, _not_replayable(unrouted), json)
