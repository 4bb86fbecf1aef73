"""`agentic costs`: tokens and cost of the model calls in the store, by model, step, pipeline, day or flow run.

A table with totals on the terminal, `--json` for scripts, `--out costs.csv|costs.parquet` for a spreadsheet or
a data tool. The store is AGENTIC_DATABASE_URL or a saved Pipeline Store block (`--store-block NAME`); times UTC.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agentic_kit._operate.cli.output import EXIT_USAGE, console, fail, print_json, use_local_server
from agentic_kit._operate.cli.times import utc_end, utc_moment


def _grouping(by: list[str] | None) -> list[str]:
    """The --by values (repeatable or comma-separated), checked, each once, in the order given."""
    # Not at the top: the cost tables import Prefect, which reads its settings (PREFECT_API_URL) when first
    # imported, so they come after the command has chosen its server.
    from agentic_kit._blocks.usage_costs import DEFAULT_GROUPING, GROUPINGS

    names = [name.strip() for value in (by or DEFAULT_GROUPING) for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in GROUPINGS]
    if unknown or not names:
        fail(f"--by {', '.join(unknown) or '(empty)'}: group by one or more of {', '.join(GROUPINGS)}", EXIT_USAGE)
    return list(dict.fromkeys(names))


def _cell(figure: str, value: float) -> str:
    """A figure as a person reads it: dollars to 6 places, counts with thousands separators."""
    return f"${value:,.6f}" if figure == "cost_usd" else f"{int(value):,}"


def _print_table(rows: list[dict[str, object]], grouping: list[str], sums: dict[str, float], span: str) -> None:
    """The cost table with a totals row."""
    from agentic_kit._blocks.usage_costs import FIGURES, GROUPINGS

    table = Table(title=f"Model usage and cost by {', '.join(grouping)}{span}")
    for name in grouping:
        table.add_column(name, overflow="fold")
    for figure in FIGURES:
        table.add_column(figure.replace("_", " "), justify="right")
    keys = [GROUPINGS[name] for name in grouping]
    for position, row in enumerate(rows):
        table.add_row(*(str(row[key]) for key in keys), *(_cell(f, row[f]) for f in FIGURES),  # type: ignore[arg-type]
                      end_section=position == len(rows) - 1)
    table.add_row("total", *([""] * (len(keys) - 1)), *(_cell(f, sums[f]) for f in FIGURES), style="bold")
    console.print(table)


def costs(
    since: Annotated[str | None, typer.Option(help="Only calls at or after this ISO date or datetime (UTC).")] = None,
    until: Annotated[str | None, typer.Option(help="Only calls before this ISO datetime, or up to the end of this "
                                                   "ISO date (UTC).")] = None,
    by: Annotated[list[str] | None, typer.Option(help="Group by model, step, pipeline, day or flow-run; repeatable "
                                                      "or comma-separated (default: model,step).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the table to this .csv or .parquet file.")] = None,
    store_block: Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: "
                                                         "AGENTIC_DATABASE_URL).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the table and totals as JSON.")] = False,
) -> None:
    """Tokens and cost of the model calls in the store, grouped, with totals."""
    if store_block is not None:
        use_local_server()  # the block is read from the Prefect server: chosen before Prefect is imported
    from agentic_kit._blocks.resolve import load_or_environment
    from agentic_kit._blocks.store import PipelineStore
    from agentic_kit._blocks.usage_costs import check_output, costs_by, totals, usage_frame, write_costs

    grouping = _grouping(by)
    start = utc_moment(since, "--since") if since else None
    end = utc_end(until, "--until") if until else None
    if out is not None:
        try:
            check_output(out)
        except ValueError as wrong:
            fail(str(wrong), EXIT_USAGE)
    store = asyncio.run(load_or_environment(PipelineStore, store_block))
    table = costs_by(usage_frame(store, start, end), grouping)
    sums = totals(table)
    span = "".join(f" {word} {value}" for word, value in (("since", since), ("until", until)) if value)
    written = out if out is not None and not table.empty else None
    if written is not None:
        write_costs(table, written)
    rows = table.to_dict(orient="records")
    if json:
        print_json({"by": grouping, "since": start and start.isoformat(), "until": end and end.isoformat(),
                    "rows": rows, "totals": sums, "written_to": str(written) if written else None})
    elif table.empty:
        console.print(f"No model usage in the store{span}.", markup=False, highlight=False)
    else:
        _print_table(rows, grouping, sums, span)
        if written is not None:
            console.print(f"written to {written}", markup=False, highlight=False)
