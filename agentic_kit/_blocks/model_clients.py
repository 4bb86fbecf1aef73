"""Clients a language-model block builds: one interface, an OpenAI-compatible endpoint, the offline model or a
cassette of recorded calls."""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Any, Protocol

import openai
import pydantic
from openai.lib._parsing._completions import type_to_response_format_param
from pydantic import BaseModel

from agentic_kit._blocks.cassette_model import cassette_model
from agentic_kit._blocks.language_model import CASSETTE, OFFLINE, LanguageModel
from agentic_kit._blocks.offline_model import OfflineModel
from agentic_kit._blocks.prompt_layout import render_messages
from agentic_kit._blocks.resilience.transport_errors import from_openai
from agentic_kit._blocks.tokenizers import message_tokens, schema_tokens
from agentic_kit._domain.errors import InvalidModelOutput
from agentic_kit._domain.models.common import ModelReply, ModelRequest, OutputT, TokenUsage


class ModelClient(Protocol):
    """Anything that answers a model request with a parsed, usage-counted reply."""

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Answer the request with an instance of output_type."""
        ...


def prompt_tokens(block: LanguageModel, request: ModelRequest, output_type: type[BaseModel]) -> int:
    """The tokens a request's prompt takes at this model: its messages and its output schema."""
    counter = block.counter()
    return message_tokens(counter, render_messages(request)) + schema_tokens(counter, output_type)


class OpenAICompatibleClient:
    """Structured chat completions from any OpenAI-compatible endpoint; the SDK's own retries are off."""

    def __init__(self, block: LanguageModel) -> None:
        self._block = block
        self._client = openai_client(block)

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Ask for output_type's JSON schema and parse the answer into it.

        The request is the one `chat.completions.parse` sends, posted as it is: the SDK's per-call walk of the
        body (and of the JSON schema inside it) against its parameter types costs more CPU than the rest of the
        call, for a body that is already what the API takes.
        """
        body = {"model": self._block.model, "stream": False, "messages": render_messages(request),
                "max_tokens": self._block.max_output_tokens, "response_format": strict_response_format(output_type)}
        try:
            text = await self._client.post("/chat/completions", body=body, cast_to=str)
        except openai.OpenAIError as exc:
            raise from_openai(exc) from exc
        completion = _completion(text, request.step)
        choice = completion["choices"][0]
        message = choice.get("message") or {}
        content = message.get("content")
        if content is None:
            raise InvalidModelOutput(f"{request.step}: the model refused or gave no content",
                                     raw=message.get("refusal") or text)
        if choice.get("finish_reason") == "length":
            raise InvalidModelOutput(f"{request.step}: the model's answer was cut at max_output_tokens "
                                     f"({self._block.max_output_tokens})", raw=content)
        try:
            parsed = output_type.model_validate_json(content)
        except pydantic.ValidationError as exc:
            raise InvalidModelOutput(
                f"{request.step}: the model's answer is not a valid {output_type.__name__}: {exc}", raw=content,
            ) from exc
        return ModelReply[output_type](output=parsed, model=completion.get("model") or self._block.model,  # type: ignore[valid-type]
                                       usage=self._usage(completion.get("usage")),
                                       finish_reasons=[c["finish_reason"] for c in completion["choices"]
                                                       if c.get("finish_reason")])

    def _usage(self, usage: dict[str, Any] | None) -> TokenUsage:
        """The tokens a completion reports (cached input where the provider says) and their cost."""
        if not usage:
            return TokenUsage()
        prompt, completion = usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        return TokenUsage(input_tokens=prompt, output_tokens=completion, cached_input_tokens=cached,
                          cost_usd=self._block.cost_usd(prompt, completion, cached))


@functools.cache
def strict_response_format(output_type: type[BaseModel]) -> dict[str, Any]:
    """The strict JSON-schema response format for output_type, as the SDK's `parse` builds it; built once a type."""
    return dict(type_to_response_format_param(output_type))  # type: ignore[arg-type]


def _completion(text: str, step: str) -> dict[str, Any]:
    """A chat completion body; an answer that is not one is an invalid output (raw kept)."""
    try:
        completion = json.loads(text)
        if completion["choices"]:
            return dict(completion)
    except (ValueError, KeyError, TypeError):
        pass
    raise InvalidModelOutput(f"{step}: the endpoint's answer is not a chat completion", raw=text)


_clients: dict[tuple[object, ...], ModelClient] = {}
_openai_clients: dict[tuple[object, ...], openai.AsyncOpenAI] = {}


def _loop_and_block(block: LanguageModel) -> tuple[object, ...]:
    """What a reused client is keyed by: the running event loop (connections belong to it) and the block."""
    return (id(asyncio.get_running_loop()), block.model_dump_json(),
            block.api_key.get_secret_value() if block.api_key else None)


def openai_client(block: LanguageModel) -> openai.AsyncOpenAI:
    """The SDK's client for a block's endpoint (its own retries off), one per event loop: a new client loads the
    CA certificates again, about 25 ms of CPU."""
    key = _loop_and_block(block)
    if key not in _openai_clients:
        _openai_clients[key] = openai.AsyncOpenAI(
            base_url=block.base_url, api_key=block.api_key.get_secret_value() if block.api_key else "not-needed",
            timeout=block.timeout_seconds, max_retries=0)
    return _openai_clients[key]


def model_client(block: LanguageModel) -> ModelClient:
    """The client for a block, reused within one event loop so connections are pooled."""
    if block.provider == OFFLINE:
        return OfflineModel()
    if block.provider == CASSETTE:
        return cassette_model(block)
    key = _loop_and_block(block)
    if key not in _clients:
        _clients[key] = OpenAICompatibleClient(block)
    return _clients[key]
