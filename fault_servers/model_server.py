"""OpenAI-compatible chat completions stub that answers JSON matching the requested schema."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from .schema_sample import sample_instance
from .stub_http import GARBAGE_TEXT, StubServer, fingerprint

Responder = Callable[[str, dict[str, Any] | None, list[dict[str, Any]]], "dict[str, Any] | RawAnswer"]
MODEL_ID = "test-model"
CHAT_PATH = "/v1/chat/completions"


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _words(text: str) -> int:
    """Whitespace word count, at least 1 (the stub's token count)."""
    return max(1, len(text.split()))


def _json_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The `response_format.json_schema` object of a request, if any."""
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        return spec if isinstance(spec, dict) else None
    return None


@dataclass
class RawAnswer:
    """What a responder returns to answer exactly this: a content text (or none), a finish reason, a refusal."""

    content: str | None
    finish_reason: str = "stop"
    refusal: str | None = None


class ModelServer(StubServer):
    """Chat completions whose content is generated from the JSON schema (or by `responder`)."""

    fault_paths = frozenset({CHAT_PATH})

    def __init__(self, responder: Responder | None = None) -> None:
        super().__init__()
        self.responder = responder

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
        answer = self.content(body)
        if isinstance(answer, RawAnswer):
            return 200, self.completion(body, answer.content, answer.finish_reason, answer.refusal)
        return 200, self.completion(body, json.dumps(answer))

    def content(self, body: dict[str, Any]) -> Any:
        """The object answered as the message content."""
        spec = _json_schema(body) or {}
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else None
        messages = body["messages"]
        if self.responder is not None:
            return self.responder(self.key(CHAT_PATH, body), schema, messages)
        last_user = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        return sample_instance(schema or {"type": "object"}, message_text(last_user))

    def completion(self, body: dict[str, Any], content: str | None, finish_reason: str = "stop",
                   refusal: str | None = None) -> dict[str, Any]:
        """A chat.completion object carrying `content` (or a refusal)."""
        prompt = _words(" ".join(message_text(m) for m in body["messages"]))
        answer = _words(content or refusal or "")
        return {
            "id": "chatcmpl-" + fingerprint(body, b"")[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL_ID),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": answer,
                "total_tokens": prompt + answer,
            },
        }

    def garbage(self, body: dict[str, Any] | None) -> tuple[int, dict[str, Any] | bytes]:
        """A well-formed completion whose content is not JSON."""
        if body is None or _invalid(body):
            return super().garbage(body)
        return 200, self.completion(body, GARBAGE_TEXT)


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
