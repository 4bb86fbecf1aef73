"""Tokens and cost of the model calls in the store, grouped with pandas: what `agentic costs` shows and writes.

The figures come from the model_usage table (one row a call actually made; answers from cache add none), so
they are what was paid, whichever worker paid it. The store filters by time; pandas groups, because the
groupings (model, step, pipeline, day, flow run) combine freely and the same frame is written as CSV or Parquet.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlmodel import col

from agentic_kit._blocks.sql import as_utc
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelUsageRow

GROUPINGS: dict[str, str] = {"model": "model", "step": "step", "pipeline": "pipeline", "day": "day",
                             "flow-run": "flow_run"}
"""What costs can be grouped by (as typed on the command line) and the column each is."""
DEFAULT_GROUPING = ("model", "step")
FIGURES = ("calls", "input_tokens", "output_tokens", "cached_input_tokens", "cost_usd")
UNKNOWN = "unknown"
"""The pipeline of rows written before it was recorded, and the flow run of calls made outside one."""
WRITERS = {".csv": "to_csv", ".parquet": "to_parquet"}
"""The file types a cost table is written as, by suffix."""


def usage_frame(store: PipelineStore, since: datetime | None = None, until: datetime | None = None) -> pd.DataFrame:
    """One row a model call made at or after `since` and before `until` (UTC), with its day (YYYY-MM-DD, UTC)."""
    usage = ModelUsageRow
    # a Core select (pandas runs it on a connection): sqlmodel's select() is typed for up to 4 columns
    query: Select[*tuple[Any, ...]] = select(
        col(usage.model), col(usage.step), col(usage.pipeline), col(usage.flow_run_id).label("flow_run"),
        col(usage.input_tokens), col(usage.output_tokens), col(usage.cached_input_tokens), col(usage.cost_usd),
        col(usage.created_at))
    if since is not None:
        query = query.where(col(usage.created_at) >= as_utc(since))
    if until is not None:
        query = query.where(col(usage.created_at) < as_utc(until))
    with store.engine().connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    frame["day"] = frame["created_at"].dt.strftime("%Y-%m-%d")
    return frame.fillna({"pipeline": UNKNOWN, "flow_run": UNKNOWN})


def costs_by(frame: pd.DataFrame, grouping: list[str]) -> pd.DataFrame:
    """Calls, tokens and cost for each combination of the groupings (names of GROUPINGS), sorted by them."""
    columns = [GROUPINGS[name] for name in grouping]
    table = frame.groupby(columns, sort=True).agg(
        calls=("model", "size"), input_tokens=("input_tokens", "sum"), output_tokens=("output_tokens", "sum"),
        cached_input_tokens=("cached_input_tokens", "sum"), cost_usd=("cost_usd", "sum"),
    )
    return table.reset_index()


def totals(table: pd.DataFrame) -> dict[str, Any]:
    """The sum of every figure of a cost table, as plain numbers."""
    return {figure: (float if figure == "cost_usd" else int)(table[figure].sum()) for figure in FIGURES}


def check_output(path: Path) -> None:
    """Raise ValueError unless the path's suffix names a file type a cost table is written as."""
    if path.suffix.lower() not in WRITERS:
        raise ValueError(f"{path.name}: write costs to a .csv or a .parquet file")


def write_costs(table: pd.DataFrame, path: Path) -> None:
    """Write a cost table as CSV or Parquet (pyarrow), as the file's suffix says."""
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    getattr(table, WRITERS[path.suffix.lower()])(path, index=False)
