"""The language-model block: which model answers, where it lives, what it costs."""

from __future__ import annotations

from typing import Literal

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from blocks.resilience.circuit_breaker import BreakerSettings
from blocks.resilience.dependency_limits import DependencyLimits
from domain.settings import Settings

OFFLINE = "offline"
"""The provider and model name of the built-in deterministic, extractive model."""


class LanguageModel(Block):
    """A language model: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio) or the offline model."""

    _block_type_name = "Language Model"
    _description = (
        "An OpenAI-compatible chat model (or the built-in offline model) with its timeout, "
        "output limit and prices, used by every agent step."
    )

    provider: Literal["openai-compatible", "offline"] = Field(
        default=OFFLINE, description="'offline' needs no key; 'openai-compatible' calls base_url."
    )
    model: str = Field(default=OFFLINE, description="The model name sent to the endpoint.")
    base_url: str | None = Field(
        default=None, description="The endpoint, e.g. http://127.0.0.1:11434/v1; empty means OpenAI."
    )
    api_key: SecretStr | None = Field(default=None, description="The endpoint's API key.")
    timeout_seconds: float = Field(default=60.0, gt=0, description="The client timeout of one call.")
    max_output_tokens: int = Field(default=1024, gt=0, description="The most tokens one answer may use.")
    input_price_per_million: float = Field(default=0.0, ge=0, description="USD per million input tokens.")
    output_price_per_million: float = Field(default=0.0, ge=0, description="USD per million output tokens.")
    max_concurrent_calls: int | None = Field(
        default=None, ge=1, description="At most this many calls at once, across all workers (`make deploy`).")
    requests_per_minute: int | None = Field(
        default=None, ge=1, description="At most this many calls a minute, across all workers (`make deploy`).")
    breaker: BreakerSettings = Field(
        default_factory=BreakerSettings,
        description="When this endpoint's circuit opens (shared by all workers) and how long it stays open.")
    fallback_block: str | None = Field(
        default=None,
        description="A saved Language Model block that answers when this model's retries are spent "
        "or its circuit is open.",
    )

    @classmethod
    def from_environment(cls) -> LanguageModel:
        """The model the environment names: OPENAI_BASE_URL or OPENAI_API_KEY select an endpoint, else offline.

        AGENTIC_MODEL names the model, AGENTIC_MODEL_PROVIDER forces a provider,
        AGENTIC_PRICE_INPUT / AGENTIC_PRICE_OUTPUT set prices per million tokens, and
        AGENTIC_FALLBACK_MODEL_BLOCK names a saved block to fall back to.
        """
        settings = Settings()
        base_url = settings.openai_base_url or None
        api_key = settings.openai_api_key
        default_provider = "openai-compatible" if (base_url or api_key) else OFFLINE
        provider = settings.model_provider or default_provider
        fallback = settings.fallback_model_block or None
        if provider == OFFLINE:
            return cls(provider=OFFLINE, model=OFFLINE, fallback_block=fallback)
        return cls(
            provider="openai-compatible",
            model=settings.model,
            base_url=base_url,
            api_key=api_key,
            input_price_per_million=settings.price_input,
            output_price_per_million=settings.price_output,
            fallback_block=fallback,
        )

    def cache_identity(self) -> tuple[str, str, str | None, int]:
        """What shapes this model's answers; cache keys use it, so prices and limits can change freely."""
        return (self.provider, self.model, self.base_url, self.max_output_tokens)

    def limits(self) -> DependencyLimits:
        """This model's rate and concurrency limits, named after its endpoint and model."""
        return DependencyLimits(dependency=f"model-{self.model}", max_concurrent_calls=self.max_concurrent_calls,
                                requests_per_minute=self.requests_per_minute)

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float:
        """What a call with these token counts costs at this block's prices."""
        return (
            input_tokens * self.input_price_per_million + output_tokens * self.output_price_per_million
        ) / 1_000_000
