"""The model an agent's turns go to: the language-model block's endpoint (or the scripted offline agent), each turn
through the same guarantees as a model step's call.

A turn runs inside its cached Prefect task (pydantic-ai's PrefectDurability wraps this model), so what it does
happens once per turn made, never for a turn replayed from cache: the shared budget's reservation, the model's
rate-limit turn and tokens-per-minute share, its circuit breaker, the call timeout, a row in `calls`, a GenAI span,
and the usage row committed before the task run ends, and the run's own budget's charge when it has one
(`agentic_kit/_agents/turn_budget.py`). The endpoint's errors become the kit's (one predicate,
`is_transient`, decides retries and breakers alike); the openai client's own retries are off, so retries do not
multiply.
"""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

import openai
from pydantic_ai.messages import ModelMessage, ModelMessagesTypeAdapter, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.function import FunctionModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from agentic_kit._agents.agent_cassette import cassette_agent_model, keep_turn
from agentic_kit._agents.durability import idempotency_key
from agentic_kit._agents.offline_agent import OFFLINE_AGENT_MODEL, scripted_agent
from agentic_kit._agents.turn_budget import TurnBudget, TurnCharge
from agentic_kit._blocks.language_model import CASSETTE, LOCAL_PROVIDERS, OFFLINE, LanguageModel
from agentic_kit._blocks.model_clients import openai_client
from agentic_kit._blocks.resilience.transport_errors import from_openai
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import PipelineError
from agentic_kit._domain.models.common import TokenUsage
from agentic_kit._steps.calls import guarded_call, record_usage
from agentic_kit._steps.item_scope import scope_or_none
from agentic_kit._steps.observe import MODEL, observed_call
from agentic_kit._steps.policies import POLICY
from agentic_kit._steps.shared_budget import within_shared_budget


def endpoint_model(block: LanguageModel, output_type: type[Any], agent: str) -> Model:
    """The pydantic-ai model that answers for this block: its OpenAI-compatible endpoint, the offline script (for
    an agent whose output is output_type), or the agent's turns recorded on the block's cassette."""
    if block.provider == OFFLINE:
        return FunctionModel(scripted_agent(output_type), model_name=OFFLINE_AGENT_MODEL)
    if block.provider == CASSETTE:
        return cassette_agent_model(block, agent)
    return OpenAIChatModel(block.model, provider=OpenAIProvider(openai_client=openai_client(block)))


def kit_error(exc: Exception) -> Exception:
    """The kit's error for what the endpoint raised (pydantic-ai keeps the openai error as the cause)."""
    cause = exc if isinstance(exc, openai.OpenAIError) else exc.__cause__
    return from_openai(cause) if isinstance(cause, openai.OpenAIError) else exc


class GuardedModel(WrapperModel):
    """A block's model whose every request is budgeted, limited, broken, timed, observed and accounted."""

    def __init__(self, block: LanguageModel, store: PipelineStore, step: str, subject_id: str | None,
                 output_type: type[Any], budget: TurnBudget | None = None) -> None:
        super().__init__(endpoint_model(block, output_type, step))
        self.block, self.store, self.step, self.subject_id = block, store, step, subject_id
        self.budget = budget

    async def request(self, messages: list[ModelMessage], model_settings: ModelSettings | None,
                      model_request_parameters: ModelRequestParameters) -> ModelResponse:
        """One turn, made through the block's guarantees."""
        prompt = self.prompt_tokens(messages, model_request_parameters)

        async def ask() -> ModelResponse:
            try:
                return await self.wrapped.request(messages, model_settings, model_request_parameters)
            except PipelineError:
                raise
            except Exception as exc:
                raise kit_error(exc) from exc

        estimate = TokenUsage(input_tokens=prompt, output_tokens=self.block.max_output_tokens,
                              cost_usd=self.block.cost_usd(prompt, self.block.max_output_tokens))
        async with self._turn(estimate) as turn_charge, \
                within_shared_budget(self.block, self.store, self.step, prompt) as charge:
            async with observed_call(MODEL, self.step, self.block.model, self.store):
                if self.block.provider in LOCAL_PROVIDERS:
                    response = await ask()
                else:
                    response = await guarded_call(self.block.limits(), self.block.breaker, self.store,
                                                  POLICY.llm_timeout_seconds, ask,
                                                  tokens=prompt + self.block.max_output_tokens)
            charge.usage = turn_charge.usage = self.usage(response)
        if self.block.provider not in LOCAL_PROVIDERS:
            keep_turn(self.step, self.subject_id, self.block, self.store, messages, model_request_parameters,
                      response, charge.usage)
        await record_usage(self.subject_id, self.store, self.step, response.model_name or self.block.model,
                           charge.usage)
        if scope := scope_or_none():
            scope.model_calls += 1
        return response

    def _turn(self, estimate: TokenUsage) -> AbstractAsyncContextManager[TurnCharge]:
        """The turn's charge to the run's own budget, if it has one."""
        if self.budget is None:
            return nullcontext(TurnCharge())
        return self.budget.turn(self.step, idempotency_key(), estimate)

    def prompt_tokens(self, messages: list[ModelMessage], parameters: ModelRequestParameters) -> int:
        """The turn's prompt as the block's tokenizer counts it: the conversation and the tools' schemas."""
        tools = [tool.parameters_json_schema for tool in parameters.function_tools + parameters.output_tools]
        text = ModelMessagesTypeAdapter.dump_json(messages).decode() + json.dumps(tools)
        return self.block.counter().count(text)

    def usage(self, response: ModelResponse) -> TokenUsage:
        """The turn's tokens and their cost at the block's prices."""
        used = response.usage
        return TokenUsage(input_tokens=used.input_tokens, output_tokens=used.output_tokens,
                          cached_input_tokens=used.cache_read_tokens,
                          cost_usd=self.block.cost_usd(used.input_tokens, used.output_tokens, used.cache_read_tokens))

    @property
    def model_name(self) -> str:
        """The block's model name."""
        return self.block.model
