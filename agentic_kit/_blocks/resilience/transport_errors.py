"""The one mapping of transport failures to the most specific error of ours, retryable or not.

Every HTTP dependency (the enrichment API, the notification webhook, fetched pages) and the model endpoint
(through the openai client) map their failures here, so an HTTP status means the same thing everywhere:
429 is RateLimited (with its Retry-After), 5xx UpstreamUnavailable, any other non-2xx RequestRejected,
a timeout CallTimedOut and a broken connection ConnectionFailed. Every message is redacted (the client's exception
text included: httpx's names the URL), and so is the body quoted, before it is cut to DETAIL_CHARACTERS.
"""

from __future__ import annotations

import httpx
import openai

from agentic_kit._domain import errors
from agentic_kit._domain.redaction import redacted_text

MODEL_ENDPOINT = "model endpoint"
DETAIL_CHARACTERS = 200
"""How much of a rejecting answer's body an error message quotes, once redacted: a provider may echo a key
(`401 Incorrect API key provided: sk-…`), so the whole body is redacted before it is cut."""


def status_error(status: int, retry_after: str | None, dependency: str, detail: str = "") -> errors.PipelineError:
    """The error of ours for a non-2xx answer of `dependency` (detail: what the answer said, if anything)."""
    said = f": {redacted_text(detail)[:DETAIL_CHARACTERS]}" if detail else ""
    if status == 429:
        return errors.RateLimited(f"{dependency} rate-limited the call (429){said}",
                                  float(retry_after) if retry_after else None)
    if status >= 500:
        return errors.UpstreamUnavailable(f"{dependency} failed ({status}){said}")
    return errors.RequestRejected(f"{dependency} rejected the call ({status}){said}")


def from_httpx(exc: httpx.HTTPError, dependency: str) -> errors.PipelineError:
    """Map an httpx error (raised by a call or by `raise_for_status`) met while calling `dependency`."""
    if isinstance(exc, httpx.TimeoutException):
        return errors.CallTimedOut(f"{dependency} timed out: {exc!r}")
    if isinstance(exc, httpx.TransportError):
        return errors.ConnectionFailed(f"{dependency} unreachable: {exc!r}")
    if isinstance(exc, httpx.HTTPStatusError):
        response = exc.response
        body = "" if response.status_code == 429 or response.status_code >= 500 else response.text
        return status_error(response.status_code, response.headers.get("retry-after"), dependency, body)
    return errors.ConnectionFailed(f"{dependency} call failed: {exc!r}")


def from_openai(exc: openai.OpenAIError, dependency: str = MODEL_ENDPOINT) -> errors.PipelineError:
    """Map an openai client error met while calling the model endpoint."""
    if isinstance(exc, openai.APITimeoutError):
        return errors.CallTimedOut(f"{dependency} timed out: {exc}")
    if isinstance(exc, openai.APIConnectionError):
        return errors.ConnectionFailed(f"{dependency} unreachable: {exc}")
    if isinstance(exc, openai.APIStatusError):
        return status_error(exc.status_code, exc.response.headers.get("retry-after"), dependency, exc.message)
    return errors.RequestRejected(f"{dependency} call failed: {exc}")
