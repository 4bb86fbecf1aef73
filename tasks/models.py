"""Domain models shared by flows, tasks and blocks: what goes in, what each agent answers, what comes out."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field


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


class Document(BaseModel):
    """A validated document; its id is the hash of its content, so the same text is the same document."""

    id: str
    source: str
    text: str

    @classmethod
    def from_text(cls, text: str, source: str) -> Document:
        """Build a document whose id is the SHA-256 of its text."""
        return cls(id=content_id(text), source=source, text=text)

    @property
    def short_id(self) -> str:
        """The first 12 hex digits of the id, for run names and tables."""
        return self.id[:12]


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


class Review(BaseModel):
    """The review agent's verdict on a summary: a score in [0, 1] and a short critique."""

    score: float = Field(ge=0.0, le=1.0)
    critique: str = Field(max_length=1000)


class Enrichment(BaseModel):
    """What the enrichment API knows about an entity; `found` is False for unknown ones."""

    name: str
    type: EntityType
    found: bool
    canonical_name: str | None = None
    description: str | None = None
    url: str | None = None


class TokenUsage(BaseModel):
    """Tokens one model call used and what they cost."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


OutputT = TypeVar("OutputT", bound=BaseModel)


class ModelReply(BaseModel, Generic[OutputT]):
    """A parsed model answer with the model that gave it and the tokens it used."""

    output: OutputT
    model: str
    usage: TokenUsage


DocumentStatus = Literal["processed", "rejected", "failed"]


class DocumentOutcome(BaseModel):
    """What happened to one document in one run: its results, or the step that failed and why."""

    source: str
    document_id: str | None = None
    status: DocumentStatus
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


def content_id(content: str | bytes) -> str:
    """The SHA-256 hex digest of a content (text as UTF-8): the identity of a document."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()


MAX_PLAN_ITEMS = 20
"""The most sub-questions, URLs or tool calls a planner's answer may hold (the flow keeps fewer)."""


class PlannedToolCall(BaseModel):
    """A tool call the planner asks for: a tool name from the offered list and its one argument."""

    tool: str = Field(max_length=64)
    argument: str = Field(max_length=200)


class ResearchPlan(BaseModel):
    """The planner agent's answer: sub-questions to research, URLs to read, tool calls to make."""

    sub_questions: list[str] = Field(max_length=MAX_PLAN_ITEMS)
    urls: list[str] = Field(max_length=MAX_PLAN_ITEMS)
    tool_calls: list[PlannedToolCall] = Field(max_length=MAX_PLAN_ITEMS)


class ResearchNotes(BaseModel):
    """A research agent's answer to one sub-question: what it found and what it could not settle."""

    findings: list[str] = Field(max_length=10)
    gaps: list[str] = Field(max_length=5)


class ResearchSynthesis(BaseModel):
    """The synthesis agent's answer: the report's body in markdown."""

    report: str = Field(min_length=1, max_length=20_000)


class ResearchReview(Review):
    """The reviewer agent's verdict on a research report, with questions for another round of research."""

    follow_up_questions: list[str] = Field(max_length=5)


class SubQuestion(BaseModel):
    """A validated sub-question with a short id (q1, q2 … in the first round; r2-q1 … later)."""

    id: str
    text: str


class ToolCall(BaseModel):
    """A validated call of a tool from the fixed list."""

    tool: str
    argument: str


class ValidatedPlan(BaseModel):
    """What the flow will do of a plan, and each plan item it refused with the reason."""

    sub_questions: list[SubQuestion]
    urls: list[str]
    tool_calls: list[ToolCall]
    refused: list[str] = []


class FetchedPage(BaseModel):
    """The text of a page the fetch tool read: final URL after redirects, content type, plain text."""

    url: str
    requested_url: str
    content_type: str
    text: str


class ToolResult(BaseModel):
    """What one tool call answered, in words."""

    call: ToolCall
    text: str


class SubQuestionNotes(BaseModel):
    """A sub-question and its research agent's notes."""

    sub_question: SubQuestion
    notes: ResearchNotes


class MissingPart(BaseModel):
    """A part of a research run that produced nothing, and why in plain words."""

    kind: str
    """The agent type that did not deliver (planner, researcher, scraper, tool, synthesizer, reviewer)."""
    label: str
    reason: str
    budget: bool = False
    """True when the part never started because the budget stopped the run."""


class Findings(BaseModel):
    """What the fan-out brought back: research notes, pages read and tool results."""

    notes: list[SubQuestionNotes] = []
    pages: list[FetchedPage] = []
    tools: list[ToolResult] = []

    @property
    def parts(self) -> int:
        """How many parts delivered."""
        return len(self.notes) + len(self.pages) + len(self.tools)

    def merged(self, other: Findings) -> Findings:
        """These findings followed by another round's."""
        return Findings(notes=self.notes + other.notes, pages=self.pages + other.pages, tools=self.tools + other.tools)


class Budget(BaseModel):
    """A research job's token and cost budget; the run key names the job across runs and resumes."""

    run_key: str
    max_tokens: int = Field(gt=0)
    max_cost_usd: float = Field(ge=0)

    @property
    def short_key(self) -> str:
        """The first 12 hex digits of the run key, for run names and file names."""
        return self.run_key[:12]


class Spend(BaseModel):
    """What a research job's model calls have used so far (settled calls, plus reservations under way)."""

    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0


EntityReply = ModelReply[EntityList]
SummaryReply = ModelReply[Summary]
ReviewReply = ModelReply[Review]
PlanReply = ModelReply[ResearchPlan]
NotesReply = ModelReply[ResearchNotes]
SynthesisReply = ModelReply[ResearchSynthesis]
ResearchReviewReply = ModelReply[ResearchReview]
"""Every reply type a task returns, named here so persisted results pickle them by reference (small and
fast to read back) instead of rebuilding the generic class from its pickled definition."""
