"""`agentic cassette`: record a flow run's model calls to a file, and replay a document run from it with no network."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import httpx
import typer
from sqlalchemy.exc import OperationalError

from agentic_kit import UnreadableCassette
from agentic_kit.operate import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    fail,
    print_json,
    use_local_server,
)

if TYPE_CHECKING:
    from deployments.cassettes import ReplayResult

app = typer.Typer(no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document instead of text.")


@app.command("record")
def record_command(
    flow_run_id: str = typer.Argument(..., help="The flow run whose model calls to record."),
    file: Path = typer.Argument(..., help="The cassette file to write (JSON)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write every model call a flow run made (messages, answer, model, tokens) and its documents to a cassette."""
    try:
        run_id = UUID(flow_run_id)
    except ValueError:
        fail(f"{flow_run_id!r} is not a flow run id (a UUID such as 3f2a…-…)", EXIT_USAGE)
    api_url = use_local_server()
    # Prefect reads its settings (PREFECT_API_URL) when first imported: what imports it comes after the line above.
    from prefect.exceptions import ObjectNotFound

    from agentic_kit.store import PipelineStore
    from deployments.cassettes import record

    try:
        cassette = asyncio.run(record(run_id, PipelineStore.from_environment()))
    except ObjectNotFound:
        fail(f"the Prefect server at {api_url} knows no flow run {run_id}", EXIT_NOT_FOUND)
    except httpx.TransportError as exc:
        fail(f"the Prefect server at {api_url} does not answer ({exc})", EXIT_UNAVAILABLE)
    except OperationalError as exc:
        fail(f"the pipeline store does not answer ({exc.orig})", EXIT_UNAVAILABLE)
    try:
        cassette.write(file)
    except OSError as exc:
        fail(f"{file}: cannot be written ({exc.strerror})", EXIT_FAILED)
    summary = {"file": str(file), "flow_run_id": cassette.flow_run_id, "flow_name": cassette.flow_name,
               "exchanges": len(cassette.exchanges), "documents": len(cassette.documents),
               "cached_steps": len(cassette.cached_steps)}
    if as_json:
        print_json(summary)
        return
    console.print(f"Recorded {summary['exchanges']} model calls and {summary['documents']} documents of "
                  f"{cassette.flow_name} run {cassette.flow_run_id} to {file}", markup=False, highlight=False)
    if cassette.cached_steps:
        console.print(f"{len(cassette.cached_steps)} steps came from cache and made no call: their requests are not "
                      "in the cassette (record a run made with fresh result storage to hold them all)", markup=False)


@app.command("replay")
def replay_command(
    file: Path = typer.Argument(..., help="The cassette file to answer from."),
    folder: str | None = typer.Argument(None, help="Replay on this folder's documents instead of the recorded ones."),
    paths: list[str] | None = typer.Option(None, "--path", help="Replay on this document instead (repeatable)."),
    workdir: Path | None = typer.Option(None, help="Where the replay keeps its results and store (default: new)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run the document pipeline on a cassette's answers with no network; list every request that differs."""
    if not file.is_file():
        fail(f"{file}: no such cassette file", EXIT_NOT_FOUND)
    use_local_server()
    from deployments.cassettes import replay  # imports Prefect: after the server is chosen

    try:
        result = asyncio.run(replay(file, workdir or Path(tempfile.mkdtemp(prefix="agentic-replay-")), folder, paths))
    except UnreadableCassette as exc:
        fail(str(exc), EXIT_USAGE)
    if as_json:
        print_json({**result.model_dump(), "same": result.same})
    else:
        _print_replay(file, result)
    raise typer.Exit(0 if result.same else EXIT_FAILED)


def _print_replay(file: Path, result: ReplayResult) -> None:
    """The replay in lines: the headline, each difference, the recorded requests never asked."""
    console.print(f"Replayed {file}: {result.processed} of {result.documents} documents processed, "
                  f"{len(result.differences)} differ from the recording (flow run {result.flow_run_id}, "
                  f"outputs in {result.store_url})", markup=False, highlight=False)
    for difference in result.differences:
        console.print(f"  differs: {difference.step} of {difference.document}: {difference.error}",
                      markup=False, highlight=False, soft_wrap=True)
    for unasked in result.unasked:
        console.print(f"  recorded but not asked: {unasked.step} of document {(unasked.document_id or '?')[:12]}",
                      markup=False, highlight=False)
    if result.recorded_from_cache:
        console.print(f"  {result.recorded_from_cache} steps of the recorded run came from cache: the cassette holds "
                      "no request for them", markup=False, highlight=False)
