"""`agentic cache`: list the cached step results and invalidate some, so exactly those steps run again.

The list comes from the store's cache index (one row per result record a step wrote); invalidating expires the
records in Prefect's result storage, wherever it is (agentic_kit/_blocks/cache_invalidation.py). The store is the one
AGENTIC_DATABASE_URL names, or a saved Pipeline Store block with `--store-block NAME`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from agentic_kit._blocks.sql import as_utc
from agentic_kit._domain.errors import StepBusy
from agentic_kit._operate.cli.output import (
    EXIT_NOT_FOUND,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    fail,
    print_json,
    use_local_server,
)

if TYPE_CHECKING:
    from agentic_kit._blocks.store import PipelineStore
    from agentic_kit._blocks.tables import CachedResultRow

app = typer.Typer(no_args_is_help=True)

Step = Annotated[str | None, typer.Option("--step", help="a step's name, e.g. summarize or review")]
Model = Annotated[str | None, typer.Option("--model", help="the model that answered")]
Document = Annotated[str | None, typer.Option("--document", help="a document id or its first characters")]
StoreBlock = Annotated[str | None, typer.Option("--store-block", help="a saved Pipeline Store block (default: env)")]
Json = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def _store(name: str | None) -> PipelineStore:
    """The store the command reads: the saved block called name (read from the Prefect server), or the one the
    environment names."""
    if name is not None:
        use_local_server()
    # Prefect reads its settings (PREFECT_API_URL) when first imported: the store, a Prefect block, is imported
    # here, after the server is chosen.
    from agentic_kit._blocks.store import PipelineStore

    if name is None:
        return PipelineStore.from_environment()
    try:
        return PipelineStore.load(name)  # type: ignore[return-value]
    except ValueError as error:
        fail(f"no Pipeline Store block called {name!r}: {error}", EXIT_NOT_FOUND)


def _before(value: str | None) -> datetime | None:
    """An ISO date or datetime (naive means UTC)."""
    if value is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        fail(f"--before takes an ISO date or datetime such as 2025-06-01 or 2025-06-01T12:00, not {value!r}",
             EXIT_USAGE)


def _entry(row: CachedResultRow) -> dict[str, object]:
    """An entry as JSON."""
    return row.model_dump(mode="json")


def _table(rows: list[CachedResultRow]) -> Table:
    table = Table("step", "model", "instructions", "document", "created (UTC)", "size", title="Cached step results")
    for row in rows:
        table.add_row(row.step, row.model or "", row.instructions_version or "", (row.document_id or "")[:12],
                      as_utc(row.created_at).strftime("%Y-%m-%d %H:%M:%S"), f"{row.size_bytes:,} B")
    return table


@app.command("ls")
def list_cached(step: Step = None, model: Model = None, document: Document = None, store_block: StoreBlock = None,
                json: Json = False) -> None:
    """List the cached step results: step, model, instructions version, document, when, size."""
    store = _store(store_block)
    from agentic_kit._blocks.cache_index import CacheIndex, CacheSelection

    rows = CacheIndex(store).entries(CacheSelection(step=step, model=model, document=document))
    if json:
        print_json([_entry(row) for row in rows])
    elif rows:
        console.print(_table(rows))
    else:
        console.print("No cached step results match.")


@app.command("invalidate")
def invalidate_cached(
    step: Step = None, model: Model = None, document: Document = None,
    before: Annotated[str | None, typer.Option("--before", help="only results created before this ISO date")] = None,
    store_block: StoreBlock = None, json: Json = False,
) -> None:
    """Make the matching cached steps run again on the next run, and nothing else."""
    if not step:
        fail("say which step to invalidate with --step (see `agentic cache ls` for the cached steps)", EXIT_USAGE)
    cutoff = _before(before)
    # A result may be in a storage block, read from the Prefect server: the server is chosen before anything
    # imports Prefect, which reads its settings once.
    use_local_server()
    store = _store(store_block)
    from agentic_kit._blocks.cache_index import CacheIndex, CacheSelection
    from agentic_kit._blocks.cache_invalidation import invalidate
    from agentic_kit._steps.policies import STEP_LOCKS

    index = CacheIndex(store)
    entries = index.entries(CacheSelection(step=step, model=model, document=document, before=cutoff))
    if not entries and step not in (known := index.steps()):
        fail(f"no cached results of a step called {step!r}; cached steps: {', '.join(known) or 'none'}",
             EXIT_NOT_FOUND)
    try:
        count = invalidate(store, entries, STEP_LOCKS)
    except StepBusy as busy:
        fail(str(busy), EXIT_UNAVAILABLE)
    if json:
        print_json({"invalidated": count})
    else:
        console.print(f"Invalidated {count} cached step result{'s' if count != 1 else ''} "
                      f"(as of {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC); they run again on the next run.")
