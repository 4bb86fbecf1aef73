"""`agentic eval`: the evaluation gate, a step's candidate variant against its live one on a golden set.

    agentic eval --step summarize --candidate terse [--evaluation tasks.documents.evaluation:golden_documents]
                 [--quality-margin 0.05] [--rate-margin 0.05] [--spend-margin 0.25] [--json]

Runs the project's evaluation (module:attribute, imported from the folder the command runs in) once for the step's
live variant and once for the candidate, each in its own flow run with Prefect's cache refreshed, prints each metric
side by side, writes the comparison as the `evaluation-<step>` artifact, and exits 1 when the candidate is worse than
live beyond a margin, naming the metrics (see agentic_kit._domain.evaluation_gate).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from typing import Annotated, Any

import typer

from agentic_kit._operate.cli.output import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    console,
    fail,
    pipeline_store,
    print_json,
    use_local_server,
)

DEFAULT_EVALUATION = "tasks.documents.evaluation:golden_documents"
"""The document pipeline's golden set, which the repository ships."""


def _evaluation(reference: str) -> Any:
    """The evaluation object `module:attribute` names, imported from the project's folder."""
    module_name, _, attribute = reference.partition(":")
    if not attribute:
        fail(f"--evaluation {reference!r}: give module:attribute, e.g. {DEFAULT_EVALUATION}", EXIT_USAGE)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ModuleNotFoundError, AttributeError) as exc:
        fail(f"--evaluation {reference!r} cannot be imported from here: {exc}", EXIT_NOT_FOUND)


def evaluate(
    step: Annotated[str, typer.Option(help="The step's name, as its task runs are named.")],
    candidate: Annotated[str, typer.Option(help="The variant to compare with the live one.")],
    evaluation: Annotated[str, typer.Option(help="The golden set and its scoring, as module:attribute.")]
    = DEFAULT_EVALUATION,
    quality_margin: Annotated[float, typer.Option(min=0, help="How far under live a quality metric may be.")] = 0.05,
    rate_margin: Annotated[float, typer.Option(min=0, help="How far over live an error or repair rate may be.")]
    = 0.05,
    spend_margin: Annotated[float, typer.Option(min=0, help="How much more tokens, cost, latency (0.25: 25 %).")]
    = 0.25,
    store_block: Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: "
                                                         "AGENTIC_DATABASE_URL).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for CI.")] = False,
) -> None:
    """Compare a step's candidate variant with its live one on a golden set; exit 1 when it is worse."""
    use_local_server()
    os.environ["PREFECT_TASKS_REFRESH_CACHE"] = "true"  # both variants really called, not read from the cache
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    from agentic_kit._blocks.rollout_records import DECLARED, live_variant, step_variant
    from agentic_kit._domain.evaluation_gate import GateMargins
    from agentic_kit._operate.evaluation import evaluation_gate

    store = pipeline_store(store_block)
    if candidate != DECLARED and step_variant(store, step, candidate) is None:
        fail(f"{step} has no variant {candidate!r}: add it with `agentic variants add` first", EXIT_NOT_FOUND)
    golden = _evaluation(evaluation)
    live = live_variant(store, step)
    result = asyncio.run(evaluation_gate(golden, step, live, candidate,
                                         GateMargins(quality_margin, rate_margin, spend_margin)))
    if json_output:
        print_json({"step": step, "live": live, "candidate": candidate, "passed": not result.worse,
                    "worse": result.worse, "metrics": [vars(c) for c in result.comparisons],
                    "failed_cases": {"live": result.live.failed_cases, "candidate": result.candidate.failed_cases}})
    else:
        for comparison in result.comparisons:
            console.print(comparison.line(), markup=False, highlight=False)
        console.print(f"eval: step={step} live={live} candidate={candidate} "
                      + ("passed" if not result.worse else f"failed on {', '.join(result.worse)}"),
                      markup=False, highlight=False)
    if result.worse:
        raise SystemExit(EXIT_FAILED)
