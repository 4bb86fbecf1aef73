"""What a document-batch run did: one row a child run (its batch, state, attempts, link), totals over all."""

from __future__ import annotations

from pydantic import BaseModel

from tasks.documents.report import PipelineReport


class ChildRun(BaseModel):
    """One batch's document-pipeline run, as it ended."""

    batch: int
    flow_run_id: str
    name: str
    url: str | None
    state: str
    attempts: int
    documents: int
    report: PipelineReport | None = None
    message: str | None = None

    def count(self, status: str) -> int:
        return self.report.count(status) if self.report else 0


class BatchReport(BaseModel):
    """The children of a document-batch run and their totals."""

    children: list[ChildRun]

    @property
    def documents(self) -> int:
        return sum(child.documents for child in self.children)

    def count(self, status: str) -> int:
        return sum(child.count(status) for child in self.children)

    @property
    def model_calls(self) -> int:
        return sum(child.report.usage.calls for child in self.children if child.report)

    @property
    def cached_model_steps(self) -> int:
        return sum(child.report.cached_model_steps for child in self.children if child.report)

    @property
    def unfinished(self) -> list[ChildRun]:
        """Children that did not end with a report (crashed for good, cancelled)."""
        return [child for child in self.children if child.report is None]

    def headline(self) -> str:
        """One line: documents and batches, by status; model calls; batches run again after a crash."""
        retried = sum(1 for child in self.children if child.attempts > 1)
        line = (f"{self.documents} documents in {len(self.children)} batches: {self.count('processed')} processed, "
                f"{self.count('rejected')} rejected, {self.count('failed')} failed; {self.model_calls} model calls "
                f"made, {self.cached_model_steps} model steps from cache; {retried} batches run again after a crash")
        if self.unfinished:
            line += f"; {len(self.unfinished)} batches did not finish"
        return line

    def markdown(self) -> str:
        """The run's artifact: the headline, then a row and a link per child run."""
        lines = ["# Document batch", "", f"**{self.headline()}**", "",
                 "| batch | run | state | attempts | documents | processed | rejected | failed | model calls |",
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for child in self.children:
            run = f"[{child.name}]({child.url})" if child.url else child.name
            calls = child.report.usage.calls if child.report else ""
            lines.append(f"| {child.batch} | {run} | {child.state} | {child.attempts} | {child.documents} | "
                         f"{child.count('processed')} | {child.count('rejected')} | {child.count('failed')} | {calls} |")
        return "\n".join(lines) + "\n"
