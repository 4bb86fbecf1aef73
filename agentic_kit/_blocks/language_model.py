"""The language-model block: which model answers, where it lives, what it costs."""

from __future__ import annotations

from typing import Final, Literal

from prefect.blocks.core import Block
from pydantic import Field, SecretStr, field_validator, model_validator

from agentic_kit._blocks.resilience.circuit_breaker import BreakerSettings
from agentic_kit._blocks.resilience.dependency_limits import DependencyLimits
from agentic_kit._blocks.tokenizers import AUTO, TokenCounter, known_tokenizer, token_counter
from agentic_kit._domain.redaction import register_secret, register_url_credentials
from agentic_kit._domain.settings import DEFAULT_CONTEXT_WINDOW, current_settings

OFFLINE: Final = "offline"
"""The provider and model name of the built-in deterministic, extractive model."""
CASSETTE: Final = "cassette"
"""The provider that answers from a cassette file of recorded model calls, with no network."""
LOCAL_PROVIDERS = frozenset({OFFLINE, CASSETTE})
"""Providers that answer in this process: no rate limit, no circuit breaker, no timeout to guard."""


class LanguageModel(Block):
    """A language model: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio) or the offline model."""

    _block_type_name = "Language Model"
    _description = (
        "An OpenAI-compatible chat model (or the built-in offline model) with its timeout, "
        "output limit and prices, used by every agent step."
    )

    provider: Literal["openai-compatible", "offline", "cassette"] = Field(
        default=OFFLINE, description="'offline' needs no key; 'openai-compatible' calls base_url; 'cassette' answers "
        "from cassette_path with no network.")
    model: str = Field(default=OFFLINE, description="The model name sent to the endpoint.")
    base_url: str | None = Field(
        default=None, description="The endpoint, e.g. http://127.0.0.1:11434/v1; empty means OpenAI."
    )
    api_key: SecretStr | None = Field(default=None, description="The endpoint's API key.")
    cassette_path: str | None = Field(
        default=None, description="The cassette file the 'cassette' provider answers from (agentic cassette record).")
    timeout_seconds: float = Field(default=60.0, gt=0, description="The client timeout of one call.")
    max_output_tokens: int = Field(default=1024, gt=0, description="The most tokens one answer may use.")
    context_window: int = Field(
        default=DEFAULT_CONTEXT_WINDOW, ge=1024,
        description="The most tokens one request may hold, prompt and answer together; longer documents are "
        "split into chunks that fit.")
    tokenizer: str = Field(
        default=AUTO,
        description="How tokens are counted: 'auto' (tiktoken for models it knows, else an estimate of one token "
        "per 3 bytes), 'estimate', or a tiktoken encoding such as 'o200k_base'.")
    input_price_per_million: float = Field(default=0.0, ge=0, description="USD per million input tokens.")
    cached_input_price_per_million: float | None = Field(
        default=None, ge=0,
        description="USD per million input tokens the provider served from its prompt cache; empty: the input "
        "price.")
    output_price_per_million: float = Field(default=0.0, ge=0, description="USD per million output tokens.")
    max_concurrent_calls: int | None = Field(
        default=None, ge=1, description="At most this many calls at once, across all workers (`make deploy`).")
    requests_per_minute: int | None = Field(
        default=None, ge=1, description="At most this many calls a minute, across all workers (`make deploy`).")
    tokens_per_minute: int | None = Field(
        default=None, ge=1,
        description="At most this many tokens a minute (prompt plus max output tokens), across all workers "
        "(`make deploy`).")
    breaker: BreakerSettings = Field(
        default_factory=BreakerSettings,
        description="When this endpoint's circuit opens (shared by all workers) and how long it stays open.")
    fallback_block: str | None = Field(
        default=None,
        description="A saved Language Model block that answers when this model's retries are spent "
        "or its circuit is open.",
    )

    @field_validator("tokenizer")
    @classmethod
    def _known_tokenizer(cls, value: str) -> str:
        """A tokenizer we can count with."""
        if not known_tokenizer(value):
            raise ValueError(f"unknown tokenizer {value!r}: use 'auto', 'estimate' or a tiktoken encoding name")
        return value

    @model_validator(mode="after")
    def _secrets_redacted(self) -> LanguageModel:
        """Its key (and any credential in its URL) is hidden from every message from now on, built or loaded."""
        register_secret(self.api_key)
        register_url_credentials(self.base_url)
        return self

    @model_validator(mode="after")
    def _cassette_named(self) -> LanguageModel:
        """The cassette provider needs its file."""
        if self.provider == CASSETTE and not self.cassette_path:
            raise ValueError("the 'cassette' provider needs a cassette file: set cassette_path (or "
                             "AGENTIC_MODEL_CASSETTE)")
        return self

    @model_validator(mode="after")
    def _room_for_a_prompt(self) -> LanguageModel:
        """The window must leave room for a prompt beside the answer and one repair round."""
        if self.usable_window() < 4 * self.max_output_tokens:
            raise ValueError(
                f"a window of {self.usable_window():,} tokens (context_window, or tokens_per_minute when smaller) "
                f"leaves too little room beside max_output_tokens={self.max_output_tokens:,}: make the window at "
                "least four times max_output_tokens")
        return self

    @classmethod
    def from_environment(cls) -> LanguageModel:
        """The model the environment names: OPENAI_BASE_URL or OPENAI_API_KEY select an endpoint, else offline.

        AGENTIC_MODEL names the model, AGENTIC_MODEL_PROVIDER forces a provider (with `cassette`,
        AGENTIC_MODEL_CASSETTE names its file),
        AGENTIC_PRICE_INPUT / AGENTIC_PRICE_CACHED_INPUT / AGENTIC_PRICE_OUTPUT set prices per million tokens,
        AGENTIC_MODEL_CONTEXT_WINDOW, AGENTIC_MODEL_TOKENIZER and AGENTIC_MODEL_TOKENS_PER_MINUTE describe the
        model, and AGENTIC_FALLBACK_MODEL_BLOCK names a saved block to fall back to.
        """
        settings = current_settings()
        base_url = settings.openai_base_url or None
        api_key = settings.openai_api_key
        default_provider = "openai-compatible" if (base_url or api_key) else OFFLINE
        provider = settings.model_provider or default_provider
        window = {"context_window": settings.model_context_window, "tokenizer": settings.model_tokenizer,
                  "fallback_block": settings.fallback_model_block or None}
        if provider == OFFLINE:
            return cls(provider=OFFLINE, model=OFFLINE, **window)
        if provider == CASSETTE:
            return cls(provider=CASSETTE, model=settings.model, cassette_path=settings.model_cassette, **window)
        return cls(
            provider="openai-compatible",
            model=settings.model,
            base_url=base_url,
            api_key=api_key,
            input_price_per_million=settings.price_input,
            cached_input_price_per_million=settings.price_cached_input,
            output_price_per_million=settings.price_output,
            tokens_per_minute=settings.model_tokens_per_minute,
            **window,
        )

    def cache_identity(self) -> tuple[str, str, str | None, int]:
        """What shapes this model's answers; cache keys use it, so prices and limits can change freely.

        The window and tokenizer shape how a document is chunked, and chunks are keyed by their own text. A cassette
        stands where an endpoint would.
        """
        return (self.provider, self.model, self.base_url or self.cassette_path, self.max_output_tokens)

    def usable_window(self) -> int:
        """The most tokens one request may hold here: the context window, or the tokens-per-minute limit
        when that is smaller (a call larger than the limit could never start)."""
        return min(self.context_window, self.tokens_per_minute or self.context_window)

    def counter(self) -> TokenCounter:
        """The token counter of this model."""
        return token_counter(self.tokenizer, self.model)

    def limits(self) -> DependencyLimits:
        """This model's rate, token and concurrency limits, named after its endpoint and model."""
        return DependencyLimits(dependency=f"model-{self.model}", max_concurrent_calls=self.max_concurrent_calls,
                                requests_per_minute=self.requests_per_minute,
                                tokens_per_minute=self.tokens_per_minute, token_burst=self.usable_window())

    def cost_usd(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        """What a call with these token counts costs at this block's prices (cached input at its own price)."""
        cached_price = self.input_price_per_million if self.cached_input_price_per_million is None \
            else self.cached_input_price_per_million
        return (
            (input_tokens - cached_input_tokens) * self.input_price_per_million
            + cached_input_tokens * cached_price
            + output_tokens * self.output_price_per_million
        ) / 1_000_000
