"""The research pipeline's models: plans, tool calls, fetched pages, notes, findings, budgets and replies."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from agentic_kit._domain.models.common import ModelReply, Review

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

    shapes_answers: ClassVar[bool] = False
    """A budget says where spending is counted, never what a step answers: cache keys leave it out."""

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


PlanReply = ModelReply[ResearchPlan]


NotesReply = ModelReply[ResearchNotes]


SynthesisReply = ModelReply[ResearchSynthesis]


ResearchReviewReply = ModelReply[ResearchReview]
"""Every reply type a task returns, named here so persisted results pickle them by reference (small and
fast to read back) instead of rebuilding the generic class from its pickled definition."""
