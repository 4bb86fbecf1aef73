"""The document pipeline's models: what goes in, what each agent answers, what comes out, and replays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentic_kit._domain.models.common import ModelReply, Review, content_id
from agentic_kit._domain.redaction import redacted_text, scrubbed


class EntityType(StrEnum):
    """The kinds of entities the extractor may name."""

    PERSON = "PERSON"
    ORG = "ORG"
    LOCATION = "LOCATION"
    DATE = "DATE"
    MONEY = "MONEY"
    EMAIL = "EMAIL"
    PRODUCT = "PRODUCT"
    OTHER = "OTHER"


DocumentFormat = Literal["text", "markdown", "html", "pdf", "docx"]
"""The formats whose text the pipeline reads."""


class ExtractedText(BaseModel):
    """What a person reads in a file: its text, the format it was read as and the text encoding detected
    (None for formats that carry their own, such as PDF and .docx)."""

    text: str
    format: DocumentFormat
    encoding: str | None = None


class Document(BaseModel):
    """A validated document; its id is the hash of its raw bytes, so the same file is the same document.

    `text` is what the model sees: the text extracted from the raw bytes in their format and encoding.
    """

    id: str
    source: str
    text: str
    format: DocumentFormat = "text"
    encoding: str | None = "utf-8"

    @classmethod
    def from_text(cls, text: str, source: str) -> Document:
        """Build a plain-text document whose id is the SHA-256 of its text as UTF-8."""
        return cls(id=content_id(text), source=source, text=text)

    @classmethod
    def from_extracted(cls, raw: bytes, extracted: ExtractedText, source: str) -> Document:
        """Build a document from a file's raw bytes (its id) and the text extracted from them."""
        return cls(id=content_id(raw), source=source, text=extracted.text, format=extracted.format,
                   encoding=extracted.encoding)

    @property
    def short_id(self) -> str:
        """The first 12 hex digits of the id, for run names and tables."""
        return self.id[:12]


class DocumentPart(BaseModel):
    """The text of one chunk of a document (the whole text when it fits the model's window)."""

    document_id: str
    index: int = Field(ge=0)
    count: int = Field(ge=1)
    text: str

    @property
    def label(self) -> str:
        """The document's short id, and the part's number when there are several, for run names."""
        short = self.document_id[:12]
        return short if self.count == 1 else f"{short} part {self.index + 1}/{self.count}"


class Rejection(BaseModel):
    """A source that did not become a document, and why in plain words; its id hashes the raw bytes."""

    source: str
    error: str
    document_id: str | None = None


class Entity(BaseModel):
    """One named thing found in a document."""

    name: str = Field(min_length=1, max_length=200)
    type: EntityType


class EntityList(BaseModel):
    """The extraction agent's answer."""

    entities: list[Entity] = Field(max_length=50)


class Summary(BaseModel):
    """The summarization agent's answer."""

    summary: str = Field(min_length=1, max_length=2000)


class Enrichment(BaseModel):
    """What the enrichment API knows about an entity; `found` is False for unknown ones."""

    name: str
    type: EntityType
    found: bool
    canonical_name: str | None = None
    description: str | None = None
    url: str | None = None


DocumentStatus = Literal["processed", "rejected", "failed"]


class DocumentOutcome(BaseModel):
    """What happened to one document in one run: its results, or the step that failed and why.

    Its error is redacted (and its raw output rid of every registered secret) however it is set: built, assigned
    or copied with an update; so the store, the dead letters, the run's results, messages and artifacts get it so.
    """

    model_config = ConfigDict(validate_assignment=True)

    source: str
    document_id: str | None = None
    status: DocumentStatus
    format: DocumentFormat | None = None
    encoding: str | None = None
    chunks: int = 0
    """How many parts the document was read in (1 when it fit the model's window; 0 when never read)."""
    entities: list[Entity] = []
    enrichments: list[Enrichment] = []
    enrichment_note: str | None = None
    summary: str | None = None
    review: Review | None = None
    models: dict[str, str] = {}
    """Which model answered each model step (a fallback model shows here)."""
    failed_step: str | None = None
    error: str | None = None
    raw_output: str | None = None
    """A model's last invalid answer, when the step failed because no answer was valid."""
    model_calls: int = 0
    cached_steps: int = 0
    review_decision: str | None = None
    reviewer_note: str | None = None
    extras: dict[str, Any] = {}
    """The results of steps a project adds, by step name (JSON-ready): they land in the store (documents.extras),
    the JSONL and Parquet exports and the run's report with no other change."""

    @field_validator("error")
    @classmethod
    def _redacted_error(cls, error: str | None) -> str | None:
        return redacted_text(error) if error else error

    @field_validator("raw_output")
    @classmethod
    def _scrubbed_raw_output(cls, raw: str | None) -> str | None:
        return scrubbed(raw) if raw else raw

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; an updated error or raw output is redacted as a built one is (pydantic does not validate
        updates)."""
        if update and ("error" in update or "raw_output" in update):
            update = {**update}
            if isinstance(update.get("error"), str):
                update["error"] = redacted_text(update["error"])
            if isinstance(update.get("raw_output"), str):
                update["raw_output"] = scrubbed(update["raw_output"])
        return super().model_copy(update=update, deep=deep)


EntityReply = ModelReply[EntityList]
SummaryReply = ModelReply[Summary]
ReviewReply = ModelReply[Review]


ReplayResult = Literal["replayed", "still_failing", "not_replayable"]


class ReplayCandidate(BaseModel):
    """An open dead letter and the text a replay would send again (None when there is none)."""

    id: int
    document_id: str
    source: str
    step: str
    error_type: str
    attempts: int
    text: str | None
    rejected_input: bool


class ReplayItem(BaseModel):
    """What a replay did for one dead letter."""

    dead_letter_id: int
    document_id: str
    source: str
    step: str
    result: ReplayResult
    detail: str = ""
    attempts: int


class ReplayReport(BaseModel):
    """What a dead-letter replay did, one item a dead letter, and the pipeline run it used."""

    items: list[ReplayItem] = []
    pipeline_flow_run_id: str | None = None
    pipeline_message: str | None = None

    def count(self, result: ReplayResult) -> int:
        """How many dead letters ended with this result."""
        return sum(1 for item in self.items if item.result == result)

    def headline(self) -> str:
        """One line: dead letters by result."""
        return (
            f"{len(self.items)} dead letters: {self.count('replayed')} replayed, "
            f"{self.count('still_failing')} still failing, {self.count('not_replayable')} not replayable"
        )

    def table_rows(self) -> list[dict[str, str | int]]:
        """One row a dead letter: id, document, step, result, attempts, detail."""
        return [
            {"id": i.dead_letter_id, "document": Path(i.source).name, "step": i.step, "result": i.result,
             "attempts": i.attempts, "detail": i.detail}
            for i in self.items
        ]

    def markdown(self) -> str:
        """A markdown summary for the run's artifact."""
        lines = ["# Dead-letter replay", "", f"**{self.headline()}**", ""]
        if self.pipeline_message:
            lines.append(f"- document pipeline run `{self.pipeline_flow_run_id}`: {self.pipeline_message}")
        for result, title in (("still_failing", "Still failing"), ("not_replayable", "Not replayable")):
            if self.count(result):  # type: ignore[arg-type]
                lines += ["", f"## {title}", ""] + [
                    f"- #{i.dead_letter_id} `{Path(i.source).name}` at **{i.step}**: {i.detail}"
                    for i in self.items if i.result == result
                ]
        return "\n".join(lines) + "\n"


Decision = Literal["approve", "reject"]


class DocumentDecision(BaseModel):
    """A reviewer's decision on one document; a changed summary replaces the model's."""

    document_id: str
    document: str = ""
    score: float | None = None
    critique: str = ""
    decision: Decision = "approve"
    summary: str | None = Field(default=None, description="Edit to replace the summary; empty keeps it.")
    note: str = Field(default="", description="Why: kept with the document.")


@dataclass(frozen=True)
class ReviewSchedule:
    """When a waiting review reminds, escalates and gives up, in seconds after the run paused for it.

    A reminder or an escalation set to None, or due at or after the timeout, is not sent.
    """

    timeout_seconds: int
    reminder_seconds: int | None = None
    escalation_seconds: int | None = None

    def __post_init__(self) -> None:
        """ValueError, in one line, for a schedule that cannot be kept."""
        named = {"review_timeout_seconds": self.timeout_seconds, "review_reminder_seconds": self.reminder_seconds,
                 "review_escalation_seconds": self.escalation_seconds}
        for name, seconds in named.items():
            if seconds is not None and seconds <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {seconds}")
        if self.reminder_seconds and self.escalation_seconds and self.escalation_seconds <= self.reminder_seconds:
            raise ValueError(f"review_escalation_seconds ({self.escalation_seconds}) must be later than "
                             f"review_reminder_seconds ({self.reminder_seconds})")

    def steps(self) -> list[tuple[str, int]]:
        """("reminder" | "escalation", seconds) for each step due before the timeout, in order."""
        due = [("reminder", self.reminder_seconds), ("escalation", self.escalation_seconds)]
        return [(step, seconds) for step, seconds in due if seconds is not None and seconds < self.timeout_seconds]
