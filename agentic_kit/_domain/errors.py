"""The error hierarchy: every failure a step can meet, split into worth-retrying and not.

    PipelineError
    ├── TransientError          is_transient(): retried, counted by circuit breakers, a reason to fall back
    │   ├── RateLimited         429, with its Retry-After
    │   ├── UpstreamUnavailable 5xx
    │   ├── CallTimedOut        no answer in time (TimeoutError of any origin counts too)
    │   ├── ConnectionFailed    refused, reset or dropped
    │   ├── MalformedResponse   a body that does not parse (raw kept)
    │   │   └── InvalidModelOutput   a model answer of the wrong structure
    │   ├── CircuitOpen         failed fast: the dependency's breaker is open
    │   └── StepBusy            a cached step to invalidate is being computed right now
    └── PermanentError          never retried
        ├── RequestRejected     4xx other than 429
        ├── InvalidInput        a source that cannot become a document
        ├── UnrepairableOutput  still invalid after the repair round (raw kept)
        ├── FetchRefused        the fetch tool will not read this URL
        ├── BudgetExhausted     the next model call would pass a budget (a run's, or its pipeline's shared one)
        ├── NotInCassette       a replayed request has no recorded answer
        ├── UnreadableCassette  a cassette file that cannot be read as one
        └── AgentStopped        a guard stopped an agent run (turns, tokens, cost, a repeated call, wall time)

Transport failures are mapped to these in one place, `agentic_kit/_blocks/resilience/transport_errors.py`. Every error
with extra fields pickles with them (`__reduce__`), so it survives Prefect's persisted states.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agentic_kit._domain.redaction import redacted_text, scrubbed


class PipelineError(Exception):
    """Base of every error this project raises on purpose. Its message is redacted when the error is made
    (agentic_kit/_domain/redaction.py): no secret we were given, nor one a dependency echoed, reaches a run's
    state, a log line, a dead letter or a persisted result through it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(redacted_text(arg) if isinstance(arg, str) else arg for arg in args))


class TransientError(PipelineError):
    """A failure that may pass if the same call is tried again later."""


class RateLimited(TransientError):
    """The dependency answered 429: too many requests."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[RateLimited], tuple[str, float | None]]:
        return type(self), (str(self), self.retry_after)


class UpstreamUnavailable(TransientError):
    """The dependency answered with a server error (5xx)."""


class CallTimedOut(TransientError):
    """The dependency did not answer in time."""


class ConnectionFailed(TransientError):
    """The connection to the dependency failed or was dropped."""


class MalformedResponse(TransientError):
    """The dependency answered with a body that does not parse; the raw body is kept."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = scrubbed(raw) if raw else raw

    def __reduce__(self) -> tuple[type[MalformedResponse], tuple[str, str]]:
        return type(self), (str(self), self.raw)


class InvalidModelOutput(MalformedResponse):
    """The model answered, but not with the structure the step asked for."""


class PermanentError(PipelineError):
    """A failure that trying again cannot fix."""


class RequestRejected(PermanentError):
    """The dependency refused the request itself (4xx other than 429)."""


class InvalidInput(PermanentError):
    """A source cannot become a document: empty, binary, too large or not UTF-8."""


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry may cure: our transient errors and timeouts of any origin."""
    return isinstance(exc, (TransientError, TimeoutError))


class UnrepairableOutput(PermanentError):
    """The model's answer stayed invalid after its repair round; the raw answer is kept."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = scrubbed(raw) if raw else raw

    def __reduce__(self) -> tuple[type[UnrepairableOutput], tuple[str, str]]:
        return type(self), (str(self), self.raw)


class CircuitOpen(TransientError):
    """A dependency's circuit breaker is open: the call failed fast without reaching it."""

    def __init__(self, dependency: str, until: datetime) -> None:
        super().__init__(f"circuit breaker {dependency!r} is open until {until.isoformat()}: "
                         "the call failed fast without reaching the dependency")
        self.dependency = dependency
        self.until = until

    def __reduce__(self) -> tuple[type[CircuitOpen], tuple[str, datetime]]:
        return type(self), (self.dependency, self.until)


class FetchRefused(PermanentError):
    """The fetch tool will not read this URL: a forbidden address, scheme, redirect, size or content type."""


class BudgetExhausted(PermanentError):
    """The next model call would take the run, or its pipeline's shared budget, past its tokens or cost: it was not
    made."""


class StepBusy(TransientError):
    """A cached step could not be invalidated: a worker has been computing it for longer than the wait allows."""


class NotInCassette(PermanentError):
    """A request replayed from a cassette has no recorded answer: it differs from every recorded request."""


class UnreadableCassette(PermanentError):
    """A cassette file is missing, is not JSON, or is of a format or version this code does not read."""


class AgentStopped(PermanentError):
    """A guard stopped an agent run: too many turns, tokens or cost, one call repeated, or its wall time; the run's
    transcript is kept (`raw`), so its dead letter shows what the agent did."""

    def __init__(self, message: str, guard: str, raw: str = "") -> None:
        super().__init__(message)
        self.guard = guard
        self.raw = scrubbed(raw) if raw else raw

    def __reduce__(self) -> tuple[type[AgentStopped], tuple[str, str, str]]:
        return type(self), (str(self), self.guard, self.raw)
