"""Rate and concurrency limits of a dependency (a model endpoint, a tool API), as Prefect global limits.

A block declares its figures (`max_concurrent_calls`, `requests_per_minute`, `tokens_per_minute`); `make deploy`
creates the matching global concurrency limits on the server; each call takes its turn with `strict=True`,
so a declared limit the server lacks is an error, never a silent "no limit". A block that declares
no figures is not limited.

Tokens per minute is a limit with slot decay in which a call occupies as many slots as its estimated tokens
(prompt plus the most it may answer, as providers count it). Its burst is one full request (the model's usable
window), not a minute's worth: a fleet starting together then sends no more than the limit plus one request in
any minute, instead of twice the limit, which is what a provider would answer with 429s.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from prefect.concurrency.asyncio import concurrency, rate_limit
from pydantic import BaseModel, Field

SLOT_LEASE_SECONDS = 300
"""A slot held by a process that died is freed when its lease runs out."""


class LimitSpec(BaseModel):
    """One global concurrency limit: a plain cap when slot_decay_per_second is 0, a rate limit otherwise."""

    name: str
    limit: int = Field(ge=1)
    slot_decay_per_second: float = Field(default=0.0, ge=0)


class DependencyLimits(BaseModel):
    """A dependency's declared limits, named after it."""

    dependency: str
    max_concurrent_calls: int | None = None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    token_burst: int | None = None
    """The most tokens taken at once (the largest request); None: a minute's worth."""

    @property
    def _slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", self.dependency).strip("-")

    @property
    def concurrency_name(self) -> str:
        """The global limit capping calls in flight."""
        return f"{self._slug}-concurrency"

    @property
    def rate_name(self) -> str:
        """The global limit (with slot decay) pacing calls."""
        return f"{self._slug}-rate"

    @property
    def tokens_name(self) -> str:
        """The global limit (with slot decay) pacing tokens."""
        return f"{self._slug}-tokens"

    def specs(self) -> list[LimitSpec]:
        """The global limits the server must hold: a one-second burst and a steady pace for the rate."""
        specs = []
        if self.max_concurrent_calls:
            specs.append(LimitSpec(name=self.concurrency_name, limit=self.max_concurrent_calls))
        if self.requests_per_minute:
            per_second = self.requests_per_minute / 60
            specs.append(LimitSpec(name=self.rate_name, limit=max(1, math.ceil(per_second)),
                                   slot_decay_per_second=per_second))
        if self.tokens_per_minute:
            burst = min(self.tokens_per_minute, self.token_burst or self.tokens_per_minute)
            specs.append(LimitSpec(name=self.tokens_name, limit=burst,
                                   slot_decay_per_second=self.tokens_per_minute / 60))
        return specs

    @asynccontextmanager
    async def turn(self, tokens: int = 0) -> AsyncIterator[None]:
        """Wait for a free slot, for the pace and for `tokens` of the token budget, then hold the slot while
        the call runs."""
        async with AsyncExitStack() as stack:
            if self.max_concurrent_calls:
                await stack.enter_async_context(concurrency(
                    self.concurrency_name, occupy=1, strict=True, lease_duration=SLOT_LEASE_SECONDS))
            if self.requests_per_minute:
                await rate_limit(self.rate_name, strict=True)
            if self.tokens_per_minute and tokens:
                await rate_limit(self.tokens_name, occupy=tokens, strict=True)
            yield
