"""A cassette: the model exchanges of one flow run in a JSON file, replayed later with no network.

A request finds its recorded answer by its content, never by its position: the key hashes the model asked, the
chat messages (every URL in them redacted, as they are in the file) and the response format (the output type's
name and a digest of its JSON schema). Concurrent steps therefore replay in any order, and a request that changed
(another prompt, another document) finds no answer: the nearest recorded request and how it differs name the
change. The file holds what a replay needs and no secret (no key, no header, URLs redacted):

    {"format": "agentic-cassette", "version": 1, "recorded_at": …, "flow_run_id": …, "flow_name": …,
     "model": {"model", "context_window", "tokenizer"},        how the run's model was read and asked
     "documents": [{"document_id", "source", "text"}],         the texts the run read, so a replay needs no files
     "cached_steps": ["summarize[3f2a…]", …],                  task runs answered from cache: no exchange for them
     "exchanges": [{"step", "document_id", "model", "response_format": {"name", "schema_sha256"},
                    "messages": [{"role", "content"}], "answer", "valid", "response_model",
                    "usage": {"input_tokens", "output_tokens", "cached_input_tokens"}}]}
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ValidationError

from agentic_kit._domain.errors import UnreadableCassette
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._domain.redaction import redacted_text

CASSETTE_FORMAT: Final = "agentic-cassette"
CASSETTE_VERSION = 1
EXCERPT_CHARACTERS = 40
"""How much of each side a difference shows, from the first character that differs."""


class ResponseFormat(BaseModel):
    """The structure a request asks the answer to have: the output type's name and a digest of its JSON schema."""

    name: str
    schema_sha256: str


@cache
def response_format(output_type: type[BaseModel]) -> ResponseFormat:
    """The response format of an output type, computed once per type."""
    schema = json.dumps(output_type.model_json_schema(), sort_keys=True)
    return ResponseFormat(name=output_type.__name__, schema_sha256=hashlib.sha256(schema.encode()).hexdigest())


def redacted_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The chat messages with every URL in their content redacted."""
    return [{**message, "content": redacted_text(message["content"])} for message in messages]


def request_key(model: str, messages: list[dict[str, str]], fmt: ResponseFormat) -> str:
    """What identifies a request: its model, its messages (URLs redacted) and its response format."""
    content = [model, redacted_messages(messages), fmt.name, fmt.schema_sha256]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class RecordedExchange(BaseModel):
    """One model call of the recorded run: what was asked and what came back."""

    step: str
    document_id: str | None = None
    model: str
    response_format: ResponseFormat
    messages: list[dict[str, str]]
    answer: str
    """The answer as JSON text; for an answer that was not valid (one a repair round followed), the raw text."""
    valid: bool = True
    response_model: str
    usage: TokenUsage = TokenUsage()

    def key(self) -> str:
        """The request's key (see request_key)."""
        return request_key(self.model, self.messages, self.response_format)


class RecordedModel(BaseModel):
    """How the recorded run's model read documents: its name, its window and its tokenizer (they decide the parts)."""

    model: str
    context_window: int
    tokenizer: str


class RecordedDocument(BaseModel):
    """A document the recorded run read: its id, where it came from, and its text as the model saw it."""

    document_id: str
    source: str
    text: str


class Cassette(BaseModel):
    """The model exchanges of one flow run, with the documents it read (see the module docstring)."""

    format: Literal["agentic-cassette"] = CASSETTE_FORMAT
    version: int = CASSETTE_VERSION
    recorded_at: datetime
    flow_run_id: str
    flow_name: str
    model: RecordedModel | None
    documents: list[RecordedDocument] = []
    cached_steps: list[str] = []
    exchanges: list[RecordedExchange] = []

    def write(self, path: Path) -> None:
        """Write the cassette as indented JSON."""
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")


def read_cassette(path: Path) -> Cassette:
    """The cassette in a file, or UnreadableCassette saying in plain words why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableCassette(f"{path}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise UnreadableCassette(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != CASSETTE_FORMAT:
        raise UnreadableCassette(f"{path}: not a cassette (no \"format\": \"{CASSETTE_FORMAT}\")")
    if data.get("version") != CASSETTE_VERSION:
        raise UnreadableCassette(f"{path}: cassette version {data.get('version')!r}; this code reads version "
                                 f"{CASSETTE_VERSION}: record it again")
    try:
        return Cassette.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UnreadableCassette(f"{path}: {where}: {first['msg']}") from None


def nearest(recorded: list[RecordedExchange], step: str, model: str, messages: list[dict[str, str]],
            fmt: ResponseFormat) -> RecordedExchange | None:
    """The recorded request most like this one: of the same step if any, then the same model and format, then
    the most messages alike (in the same places), then the most leading ones, then the longest common start of the
    first message that differs."""
    messages = redacted_messages(messages)
    candidates = [exchange for exchange in recorded if exchange.step == step] or recorded

    def likeness(exchange: RecordedExchange) -> tuple[bool, bool, int, int, int]:
        alike = _alike_messages(exchange.messages, messages)
        return (exchange.model == model, exchange.response_format == fmt,
                sum(was == now for was, now in zip(exchange.messages, messages, strict=False)), alike,
                _common_start(_content(exchange.messages, alike), _content(messages, alike)))

    return max(candidates, key=likeness, default=None)


def difference(exchange: RecordedExchange, model: str, messages: list[dict[str, str]], fmt: ResponseFormat) -> str:
    """How a request differs from a recorded one, in words: model, response format, messages."""
    messages = redacted_messages(messages)
    found = []
    if exchange.model != model:
        found.append(f"model: recorded {exchange.model!r}, asked {model!r}")
    if exchange.response_format != fmt:
        found.append(f"response format: recorded {exchange.response_format.name}, asked {fmt.name}"
                     + (" (its schema changed)" if exchange.response_format.name == fmt.name else ""))
    alike = _alike_messages(exchange.messages, messages)
    if len(exchange.messages) != len(messages) and alike == min(len(exchange.messages), len(messages)):
        found.append(f"messages: recorded {len(exchange.messages)}, asked {len(messages)}")
    elif alike < len(messages):
        was, now = _content(exchange.messages, alike), _content(messages, alike)
        start = _common_start(was, now)
        role = messages[alike].get("role", "?")
        found.append(f"{role} message {alike + 1} from character {start + 1}: recorded "
                     f"{was[start:start + EXCERPT_CHARACTERS]!r}, asked {now[start:start + EXCERPT_CHARACTERS]!r}")
    return "; ".join(found) or "nothing (the same request)"


def _alike_messages(recorded: list[dict[str, str]], asked: list[dict[str, str]]) -> int:
    """How many leading messages the two requests share."""
    count = 0
    for was, now in zip(recorded, asked, strict=False):
        if was != now:
            break
        count += 1
    return count


def _content(messages: list[dict[str, str]], index: int) -> str:
    """The content of the message at index, empty past the end."""
    return messages[index].get("content", "") if index < len(messages) else ""



def _common_start(first: str, second: str) -> int:
    """How many leading characters two texts share."""
    return len(os.path.commonprefix([first, second]))
