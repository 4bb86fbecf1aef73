"""Clients a language-model block builds: one interface, an OpenAI-compatible endpoint, the offline model or a
cassette of recorded calls."""

from __future__ import annotations

import asyncio
import json
from typing import Protocol

import openai
import pydantic
from pydantic import BaseModel

from blocks.cassette_model import cassette_model
from blocks.language_model import CASSETTE, OFFLINE, LanguageModel
from blocks.offline_model import OfflineModel
from blocks.prompt_layout import render_messages
from blocks.resilience.transport_errors import from_openai
from blocks.tokenizers import message_tokens, schema_tokens
from domain.errors import InvalidModelOutput
from domain.models.common import ModelReply, ModelRequest, OutputT, TokenUsage


class ModelClient(Protocol):
    """Anything that answers a model request with a parsed, usage-counted reply."""

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Answer the request with an instance of output_type."""
        ...


def prompt_tokens(block: LanguageModel, request: ModelRequest, output_type: type[BaseModel]) -> int:
    """The tokens a request's prompt takes at this model: its messages and its output schema."""
    counter = block.counter()
    return message_tokens(counter, render_messages(request)) + schema_tokens(counter, output_type.model_json_schema())


class OpenAICompatibleClient:
    """Structured chat completions from any OpenAI-compatible endpoint; the SDK's own retries are off."""

    def __init__(self, block: LanguageModel) -> None:
        self._block = block
        self._client = openai.AsyncOpenAI(
            base_url=block.base_url,
            api_key=block.api_key.get_secret_value() if block.api_key else "not-needed",
            timeout=block.timeout_seconds,
            max_retries=0,
        )

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Ask for output_type's JSON schema and parse the answer into it."""
        try:
            raw = await self._client.chat.completions.with_raw_response.parse(
                model=self._block.model,
                messages=render_messages(request),
                response_format=output_type,
                max_tokens=self._block.max_output_tokens,
            )
        except openai.OpenAIError as exc:
            raise from_openai(exc) from exc
        try:
            completion = raw.parse()
            parsed = completion.choices[0].message.parsed
        except (pydantic.ValidationError, openai.LengthFinishReasonError, ValueError) as exc:
            content = _raw_content(raw.http_response.text)
            raise InvalidModelOutput(
                f"{request.step}: the model's answer is not a valid {output_type.__name__}: {exc}",
                raw=content,
            ) from exc
        if parsed is None:
            refusal = completion.choices[0].message.refusal
            raise InvalidModelOutput(f"{request.step}: the model refused or gave no content",
                                     raw=refusal or _raw_content(raw.http_response.text))
        return ModelReply[output_type](output=parsed, model=completion.model or self._block.model,
                                       usage=self._usage(completion.usage),
                                       finish_reasons=[c.finish_reason for c in completion.choices if c.finish_reason])

    def _usage(self, usage: openai.types.CompletionUsage | None) -> TokenUsage:
        """The tokens a completion reports (cached input where the provider says) and their cost."""
        if usage is None:
            return TokenUsage()
        details = usage.prompt_tokens_details
        cached = (details.cached_tokens or 0) if details else 0
        return TokenUsage(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens,
                          cached_input_tokens=cached,
                          cost_usd=self._block.cost_usd(usage.prompt_tokens, usage.completion_tokens, cached))


def _raw_content(body: str) -> str:
    """The message content of a chat completion body, or the whole body when it has none."""
    try:
        return json.loads(body)["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        return body


_clients: dict[tuple[object, ...], ModelClient] = {}


def model_client(block: LanguageModel) -> ModelClient:
    """The client for a block, reused within one event loop so connections are pooled."""
    if block.provider == OFFLINE:
        return OfflineModel()
    if block.provider == CASSETTE:
        return cassette_model(block)
    key = (
        id(asyncio.get_running_loop()),
        block.model_dump_json(),
        block.api_key.get_secret_value() if block.api_key else None,
    )
    if key not in _clients:
        _clients[key] = OpenAICompatibleClient(block)
    return _clients[key]
