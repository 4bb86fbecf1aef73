"""A pipeline's own command: `python -m flows.x --option TEXT [--option TEXT …]` runs the pipeline once over those
texts (each made an item), with the bundled enrichment service when AGENTIC_ENRICHMENT_URL names none; prints a line
per item if asked, the run's headline and its link, and exits 1 when an item failed."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, NoReturn

from agentic_kit._operate.bundled_service import bundled_enrichment_service
from agentic_kit._steps.pipeline import ItemOutcome, ItemT, Pipeline


def run_from_command_line(pipeline: Pipeline[ItemT, Any], item: Callable[[str], ItemT], *, option: str,
                          description: str, option_help: str,
                          outcome_line: Callable[[ItemOutcome], str] | None = None) -> NoReturn:
    """Run a pipeline once over the `--option` texts given (each made an item by `item`) and print its report."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{option}", action="append", required=True, help=option_help)
    texts: list[str] = getattr(parser.parse_args(), option.replace("-", "_"))
    with ExitStack() as stack:
        if not os.environ.get("AGENTIC_ENRICHMENT_URL"):
            os.environ["AGENTIC_ENRICHMENT_URL"] = stack.enter_context(bundled_enrichment_service())
        report = asyncio.run(pipeline.run([item(text) for text in texts]))
    if outcome_line is not None:
        for outcome in report.outcomes:
            print(outcome_line(outcome))
    print(report.headline())
    if report.flow_run_url:
        print(f"run: {report.flow_run_url}")
    raise SystemExit(0 if not report.count("failed") else 1)
