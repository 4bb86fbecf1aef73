"""`agentic research QUESTION`: `make research`'s program (deployments/run_research.py) behind the command line.

The same embedded default (a local Prefect server if none answers, the bundled enrichment service, the sample
pages served on 127.0.0.1, the offline model unless one is configured); `--json` prints the outcome for scripts.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agentic_kit.operate import EXIT_FAILED, EXIT_OK, fail, print_json
from tasks.research.plan import MAX_URLS


def research(
    question: Annotated[str, typer.Argument(help="The question to research.")],
    url: Annotated[list[str] | None, typer.Option(help="A page to read instead of the samples (repeatable).")] = None,
    samples: Annotated[int, typer.Option(min=1, help="How many sample documents to offer.")] = MAX_URLS,
    json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Research a question over the sample documents (or the given URLs) and say where the report is."""
    from deployments.run_research import research as run

    state, report, path = run(question, url or None, samples)
    # Prefect reads its settings (PREFECT_API_URL) when first imported: the flow's module, which imports it, comes
    # after the run has chosen its server.
    from flows.research_pipeline import print_research

    if report is None or path is None:
        fail(f"the research run ended {state.name} without a report: {state.message}")
    code = EXIT_OK if state.is_completed() else EXIT_FAILED
    if json:
        print_json({"state": state.name, "status": report.status, "headline": report.headline(),
                    "run_key": report.run_key, "report": str(path), "flow_run_url": report.flow_run_url,
                    "spend": report.spend.model_dump(), "model": report.model})
    else:
        print_research(report, path)
    raise typer.Exit(code)
