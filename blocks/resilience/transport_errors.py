"""httpx failures mapped to the most specific error of ours, retryable or not, for any HTTP dependency."""

from __future__ import annotations

import httpx

from domain import errors


def to_pipeline_error(exc: httpx.HTTPError, dependency: str) -> errors.PipelineError:
    """Map an httpx error (raised by a call or by `raise_for_status`) met while calling `dependency`."""
    if isinstance(exc, httpx.TimeoutException):
        return errors.CallTimedOut(f"{dependency} timed out: {exc!r}")
    if isinstance(exc, httpx.TransportError):
        return errors.ConnectionFailed(f"{dependency} unreachable: {exc!r}")
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        if status == 429:
            retry_after = exc.response.headers.get("retry-after")
            return errors.RateLimited(f"{dependency} rate-limited the call (429)",
                                      float(retry_after) if retry_after else None)
        if status >= 500:
            return errors.UpstreamUnavailable(f"{dependency} failed ({status})")
        return errors.RequestRejected(f"{dependency} rejected the call ({status}): {exc.response.text[:200]}")
    return errors.ConnectionFailed(f"{dependency} call failed: {exc!r}")
