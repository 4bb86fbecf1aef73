"""The offline agent model: a deterministic script that calls tools, so agents run with no key and no network.

It is not a language model and never claims to be (its model name says `offline-agent`). Each turn it calls, at
once, every tool it has not called yet whose required arguments it can fill: from the user's question (an email
address, an id such as `O-5001`, the question itself for a `query`), or from what earlier tools answered (a
`customer_id` one returned). A tool that needs approval is called only when its name is mentioned, in the question
or in a tool's answer, so a test can show that a page telling the agent to call one still waits for a person. When
no tool is left to call, it answers: the registered offline answer of the agent's output type (`@offline_answer`,
given the question and the tools' answers), or, for text, a sentence per tool answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo
from pydantic_ai.tools import ToolDefinition

from agentic_kit._blocks.offline_model import registered_answer
from agentic_kit._domain.errors import RequestRejected

OFFLINE_AGENT_MODEL = "offline-agent"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CODE = re.compile(r"\b[A-Z]{1,3}-\d{2,}\b")
"""Ids written like `O-5001` or `C-1001`."""
QUESTION_PARAMETERS = frozenset({"query", "question", "text", "topic", "reason", "message", "note"})
"""Text parameters the question itself fills."""
ANSWER_CHARACTERS = 160
"""How much of each tool answer a text answer quotes."""

Turn = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


def _question(messages: list[ModelMessage]) -> str:
    """The user's question: the first user prompt's text."""
    for message in messages:
        for part in message.parts if isinstance(message, ModelRequest) else ():
            if isinstance(part, UserPromptPart):
                return part.content if isinstance(part.content, str) else " ".join(map(str, part.content))
    return ""


def _returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    """Every tool answer so far, in order."""
    return [part for message in messages if isinstance(message, ModelRequest) for part in message.parts
            if isinstance(part, ToolReturnPart)]


def _called(messages: list[ModelMessage]) -> set[str]:
    """The tools called so far."""
    return {part.tool_name for message in messages if isinstance(message, ModelResponse) for part in message.parts
            if isinstance(part, ToolCallPart)}


def _leaves(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key, scalar) inside a tool's answer, depth first."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item, key)
    elif isinstance(value, BaseModel):
        yield from _leaves(value.model_dump(mode="json"), key)
    else:
        yield key, value


def _records(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a tool's answer, depth first."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _records(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _records(item)


def _known(returns: list[ToolReturnPart]) -> dict[str, Any]:
    """The first value each key has in the tools' answers."""
    known: dict[str, Any] = {}
    for part in returns:
        for key, value in _leaves(part.content):
            if key is not None and value is not None:
                known.setdefault(key, value)
    return known


def _fill(tool: ToolDefinition, question: str, returns: list[ToolReturnPart]) -> dict[str, Any] | None:
    """Arguments for every required parameter of the tool, or None when one cannot be filled: text the question
    holds first, then the values of the answer's object that mentions those (the order the question names), then
    the first value anywhere."""
    schema = tool.parameters_json_schema
    required: list[str] = schema.get("required", [])
    kinds = {name: schema.get("properties", {}).get(name, {}).get("type") for name in required}
    arguments: dict[str, Any] = {}
    for name in required:
        value = _from_question(name, question) if kinds[name] == "string" else None
        if value is not None:
            arguments[name] = value
    records = [record for part in returns for record in _records(part.content)]
    named = next((r for r in records if any(r.get(k) == v for k, v in arguments.items())), {})
    known = _known(returns)
    for name in required:
        if name in arguments:
            continue
        value = named.get(name, known.get(name))
        if value is None or (kinds[name] in ("number", "integer") and not isinstance(value, int | float)):
            return None
        arguments[name] = value
    return arguments


def _from_question(name: str, question: str) -> str | None:
    """A text argument the question holds: an email address, a written id, or the question itself."""
    if "email" in name:
        found = EMAIL.search(question)
        return found.group(0) if found else None
    if name.endswith("id"):
        found = CODE.search(question)
        return found.group(0) if found else None
    return question if name in QUESTION_PARAMETERS else None


def _mentioned(tool: ToolDefinition, texts: list[str]) -> bool:
    """Whether the tool's name (its words, in order) appears in any of the texts."""
    words = re.compile(r"\b" + r"\W+".join(map(re.escape, tool.name.lower().split("_"))) + r"\b")
    return any(words.search(text.lower()) for text in texts)


def _text_answer(returns: list[ToolReturnPart]) -> str:
    """A sentence per tool answer, or that no tool could answer."""
    if not returns:
        return "No tool could help with this question."
    return " ".join(f"{part.tool_name} says: {part.model_response_str()[:ANSWER_CHARACTERS]}." for part in returns)


def scripted_agent(output_type: type[Any]) -> Turn:
    """The offline agent model's script for an agent whose output is output_type."""

    def turn(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        question, returns = _question(messages), _returns(messages)
        called = _called(messages)
        texts = [question, *(part.model_response_str() for part in returns)]
        calls: list[ModelResponsePart] = []
        for tool in info.function_tools:
            if tool.name in called or (tool.kind == "unapproved" and not _mentioned(tool, texts)):
                continue
            arguments = _fill(tool, question, returns)
            if arguments is not None:
                calls.append(ToolCallPart(tool.name, arguments, tool_call_id=f"offline-{len(called)}-{len(calls)}"))
        if calls:
            return ModelResponse(parts=calls, model_name=OFFLINE_AGENT_MODEL)
        return ModelResponse(parts=[_final(output_type, info, question, returns)], model_name=OFFLINE_AGENT_MODEL)

    return turn


def _final(output_type: type[Any], info: AgentInfo, question: str, returns: list[ToolReturnPart]) -> ModelResponsePart:
    """The run's answer: text, or the registered offline answer, as the output tool's arguments or as JSON text."""
    if output_type is str:
        return TextPart(_text_answer(returns))
    answer = registered_answer(output_type)
    if answer is None:
        raise RequestRejected(f"the offline agent model cannot answer {output_type.__name__}: register an answer "
                              f"with @offline_answer({output_type.__name__}) next to the agent")
    material = {"question": question,
                "tool results": json.dumps([{"tool": p.tool_name, "answer": p.model_response_str()} for p in returns])}
    output = answer(material).model_dump(mode="json")
    if info.output_tools:
        return ToolCallPart(info.output_tools[0].name, output, tool_call_id="offline-final")
    return TextPart(json.dumps(output))
