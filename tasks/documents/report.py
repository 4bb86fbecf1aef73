"""The report of one pipeline run: counts, a result table and a markdown summary, from the outcomes."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from agentic_kit.models import DocumentOutcome, UsageTotals

SUMMARY_HEAD_CHARS = 60


class PipelineReport(BaseModel):
    """What a document-pipeline run did, in numbers a user can check."""

    outcomes: list[DocumentOutcome]
    usage: UsageTotals
    model: str
    enrichment: str
    flow_run_url: str | None = None

    def count(self, status: str) -> int:
        """How many documents ended with this status."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def cached_model_steps(self) -> int:
        """Model steps answered from Prefect's cache instead of a new call."""
        return sum(outcome.cached_steps for outcome in self.outcomes)

    def headline(self) -> str:
        """One line: documents by status, then model calls made and answered from cache."""
        return (
            f"{len(self.outcomes)} documents: {self.count('processed')} processed, "
            f"{self.count('rejected')} rejected, {self.count('failed')} failed; "
            f"{self.usage.calls} model calls made, {self.cached_model_steps} model steps from cache"
        )

    def all_from_cache(self) -> bool:
        """Whether every model step came from cache: no call made, some steps cached, and no document failed (a
        failed document's later steps never ran, from cache or otherwise)."""
        return self.usage.calls == 0 and self.cached_model_steps > 0 and not self.count("failed")

    def failures(self) -> str:
        """The failed documents, each with its step and error."""
        return "; ".join(
            f"{Path(o.source).name} at {o.failed_step}: {o.error}" for o in self.outcomes if o.status == "failed"
        )

    def usage_line(self) -> str:
        """Token and cost totals of the calls actually made."""
        return (
            f"tokens: {self.usage.input_tokens:,} in, {self.usage.output_tokens:,} out; "
            f"cost: ${self.usage.cost_usd:.4f} (model: {self.model})"
        )

    @property
    def has_extras(self) -> bool:
        """Whether any document has results of a project's own steps."""
        return any(o.extras for o in self.outcomes)

    def table_rows(self) -> list[dict[str, str | int | float | None]]:
        """One row a document: name, entities, summary head, review score, status, note."""
        return [
            {
                "document": Path(o.source).name,
                "entities": len(o.entities),
                "summary": _head(o.summary),
                "review": o.review.score if o.review else None,
                "status": o.status,
                "note": o.error or o.enrichment_note or "",
                **({"extras": _head(json.dumps(o.extras))} if self.has_extras else {}),
            }
            for o in self.outcomes
        ]

    def markdown(self) -> str:
        """A markdown summary for the run's artifact."""
        lines = [
            "# Document pipeline",
            "",
            f"**{self.headline()}**",
            "",
            f"- {self.usage_line()}",
            f"- enrichment: {self.enrichment}",
        ]
        if self.count("failed"):
            lines += ["", "## Failed", ""] + [
                f"- `{Path(o.source).name}` at **{o.failed_step}**: {o.error}"
                for o in self.outcomes if o.status == "failed"
            ]
        if self.count("rejected"):
            lines += ["", "## Rejected input", ""] + [
                f"- `{Path(o.source).name}`: {o.error}" for o in self.outcomes if o.status == "rejected"
            ]
        return "\n".join(lines) + "\n"


def _head(text: str | None) -> str:
    """The first characters of a text on one line."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_HEAD_CHARS else flat[: SUMMARY_HEAD_CHARS - 1] + "…"


def print_report(report: PipelineReport) -> None:
    """Print the result table, the totals and the run's link to the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Document pipeline")
    columns = ("document", "entities", "summary", "review", "status", "note", *(("extras",) if report.has_extras else ()))
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in report.table_rows():
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    console = Console(width=160)
    console.print(table)
    console.print(report.headline())
    console.print(report.usage_line())
    if report.all_from_cache():
        console.print("0 model calls: every model step came from cache.")
    console.print(f"enrichment: {report.enrichment}")
    if report.flow_run_url:
        console.print(f"run in the Prefect UI: {report.flow_run_url}")
