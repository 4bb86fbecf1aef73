"""An agent's turns on cassette: each turn made against an endpoint is kept as an exchange (what `agentic cassette
record` writes into a cassette with the run's other model calls), and the `cassette` provider answers each turn
with the response recorded for the same request, with no network.

A turn's request is its conversation so far and the tools it may call. Its recorded form keeps what shapes the
answer (each part's kind, text, tool name, arguments and call id, and the instructions) and leaves out what differs
from run to run (timestamps, run ids, usage), so a replayed run asks exactly what the recorded one asked; its response
format names the agent's tools and output tools by a digest of their definitions. A turn the cassette does not hold
fails with NotInCassette, naming the nearest recorded request, like a model step's call.
"""

from __future__ import annotations

import hashlib
import json

from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.tools import ToolDefinition

from agentic_kit._blocks.cassette_model import cassette_model
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelExchangeRow
from agentic_kit._domain.errors import UnreadableCassette
from agentic_kit._domain.models.cassette import ResponseFormat
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._steps.exchanges import KEEP_EXCHANGES
from agentic_kit._steps.observe import CALL_ROWS
from agentic_kit._steps.record_writer import RECORDS
from agentic_kit._steps.tracing import prefect_ids

AGENT_TURN = "agent turn"
"""The response format's name of every agent turn (its digest tells the tools apart)."""
KEPT_FIELDS = ("part_kind", "content", "tool_name", "args", "tool_call_id")
"""What of a message part shapes the next answer; timestamps, ids of runs and provider details do not."""


def turn_messages(messages: list[ModelMessage]) -> list[dict[str, str]]:
    """A turn's conversation as role and content pairs: one a part, plus one for each request's instructions."""
    rendered: list[dict[str, str]] = []
    for message in ModelMessagesTypeAdapter.dump_python(messages, mode="json"):
        if message.get("instructions"):
            rendered.append({"role": "instructions", "content": message["instructions"]})
        for part in message["parts"]:
            kept = {name: part[name] for name in KEPT_FIELDS if part.get(name) is not None}
            rendered.append({"role": f"{message['kind']}:{part['part_kind']}",
                             "content": json.dumps(kept, sort_keys=True, default=str)})
    return rendered


def turn_format(function_tools: list[ToolDefinition], output_tools: list[ToolDefinition]) -> ResponseFormat:
    """The tools a turn may call, as a response format: their names and a digest of their definitions."""
    definitions = [[tool.name, tool.description, tool.parameters_json_schema] for tool in
                   [*function_tools, *output_tools]]
    digest = hashlib.sha256(json.dumps(definitions, sort_keys=True, default=str).encode()).hexdigest()
    return ResponseFormat(name=AGENT_TURN, schema_sha256=digest)


def keep_turn(agent: str, subject_id: str | None, block: LanguageModel, store: PipelineStore,
              messages: list[ModelMessage], parameters: ModelRequestParameters, response: ModelResponse,
              usage: TokenUsage) -> None:
    """Queue one turn's exchange (not for the offline model, nor when AGENTIC_KEEP_EXCHANGES is off)."""
    if not KEEP_EXCHANGES:
        return
    ids = prefect_ids()
    RECORDS.add(store, CALL_ROWS, ModelExchangeRow(
        flow_run_id=ids.get("prefect.flow_run.id"), task_run_id=ids.get("prefect.task_run.id"),
        document_id=subject_id, step=agent, model=block.model, context_window=block.context_window,
        tokenizer=block.tokenizer,
        response_format=turn_format(parameters.function_tools, parameters.output_tools).model_dump_json(),
        messages=json.dumps(turn_messages(messages)),
        answer=ModelMessagesTypeAdapter.dump_json([response]).decode(), valid=True,
        response_model=response.model_name or block.model, input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens, cached_input_tokens=usage.cached_input_tokens))


def cassette_agent_model(block: LanguageModel, agent: str) -> FunctionModel:
    """The model that answers an agent's turns from the block's cassette."""
    cassette = cassette_model(block)

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        exchange = cassette.recorded(agent, turn_messages(messages),
                                     turn_format(info.function_tools, info.output_tools))
        recorded = ModelMessagesTypeAdapter.validate_json(exchange.answer)[0]
        if not isinstance(recorded, ModelResponse):
            raise UnreadableCassette(f"{agent}: the recorded answer to this turn is not a model response")
        return recorded

    return FunctionModel(answer, model_name=block.model)
