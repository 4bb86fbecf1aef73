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
    model_calls: int = 0
    cached_steps: int = 0
    review_decision: str | None = None
    reviewer_note: str | None = None


def content_id(content: str | bytes) -> str:
    """The SHA-256 hex digest of a content (text as UTF-8): the identity of a document."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()
