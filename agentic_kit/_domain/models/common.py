"""Models every pipeline shares: versioned instructions, model requests and replies, token usage, reviews, health,
content ids."""

from __future__ import annotations

import hashlib
from typing import Generic, TypeVar

from pydantic import BaseModel, Field


class Review(BaseModel):
    """The review agent's verdict on a summary: a score in [0, 1] and a short critique."""

    score: float = Field(ge=0.0, le=1.0)
    critique: str = Field(max_length=1000)


class TokenUsage(BaseModel):
    """Tokens one model call used and what they cost."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    """Input tokens the provider served from its prompt cache (part of input_tokens)."""
    cost_usd: float = 0.0


OutputT = TypeVar("OutputT", bound=BaseModel)


class ModelReply(BaseModel, Generic[OutputT]):
    """A parsed model answer with the model that gave it and the tokens it used."""

    output: OutputT
    model: str
    usage: TokenUsage
    finish_reasons: list[str] = []
    """Why the model stopped (stop, length …), as the provider says."""


def content_id(content: str | bytes) -> str:
    """The SHA-256 hex digest of a content (text as UTF-8): the identity of a document."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()


class Repair(BaseModel):
    """An invalid answer and why it is invalid, sent back to the model to correct."""

    raw: str
    error: str


INSTRUCTIONS_VERSION_DIGITS = 12
"""Hex digits of an instructions version: enough that two edits of one prompt never share one."""


class Instructions(BaseModel):
    """An agent step's instructions (a template when it has `{fields}`), versioned by their text: editing the text
    is a new version, which enters that step's cache key and nothing else's."""

    text: str

    @property
    def version(self) -> str:
        """The first hex digits of the text's SHA-256."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:INSTRUCTIONS_VERSION_DIGITS]

    def format(self, **values: object) -> str:
        """The text with its `{fields}` filled in."""
        return self.text.format(**values)


class ModelRequest(BaseModel):
    """What an agent step asks: its name, its instructions, the material it works on, and any repair rounds."""

    step: str
    instructions: str
    material: dict[str, str]
    repairs: list[Repair] = []

    def with_repair(self, raw: str, error: str) -> ModelRequest:
        """The same request followed by the invalid answer and the validation error."""
        return self.model_copy(update={"repairs": [*self.repairs, Repair(raw=raw, error=error)]})


class UsageTotals(BaseModel):
    """Model calls actually made, and their tokens and cost."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cost_usd: float = 0.0


class HealthReport(BaseModel):
    """Each component's health, in words."""

    checks: dict[str, str]
    unhealthy: list[str]


class FetchedBody(BaseModel):
    """What a fetch read from a URL: the final URL after redirects, the media type, its charset and the body."""

    url: str
    requested_url: str
    content_type: str
    charset: str | None = None
    body: bytes
