"""The one mapping of transport failures: the same status means the same error of ours from httpx and openai."""

from __future__ import annotations

import socket

import httpx
import openai
import pytest

from agentic_kit._blocks.resilience.transport_errors import from_httpx, from_openai
from agentic_kit._domain import errors

REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/x")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("status", "expected", "transient"), [
    (429, errors.RateLimited, True), (500, errors.UpstreamUnavailable, True), (503, errors.UpstreamUnavailable, True),
    (400, errors.RequestRejected, False), (404, errors.RequestRejected, False),
])
def test_a_status_maps_to_the_same_error_from_httpx_and_from_openai(
    status: int, expected: type[errors.PipelineError], transient: bool
) -> None:
    response = httpx.Response(status, headers={"retry-after": "2"}, text="no such entity", request=REQUEST)
    mapped = [
        from_httpx(httpx.HTTPStatusError("status", request=REQUEST, response=response), "enrichment API"),
        from_openai(openai.APIStatusError("no such entity", response=response, body=None)),
    ]
    for error in mapped:
        assert type(error) is expected and errors.is_transient(error) is transient
        assert f"({status})" in str(error)
        if status == 429:
            assert isinstance(error, errors.RateLimited) and error.retry_after == 2.0


def test_a_rejection_quotes_the_answer_and_names_the_dependency() -> None:
    response = httpx.Response(422, text="entity type must be one of PERSON, ORG", request=REQUEST)
    error = from_httpx(httpx.HTTPStatusError("status", request=REQUEST, response=response), "enrichment API")
    assert str(error) == "enrichment API rejected the call (422): entity type must be one of PERSON, ORG"


async def test_a_refused_connection_and_a_timeout_are_transient() -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.get(f"http://127.0.0.1:{_closed_port()}/")
    assert isinstance(from_httpx(refused.value, "notification webhook"), errors.ConnectionFailed)
    timeout = from_openai(openai.APITimeoutError(request=REQUEST))
    assert isinstance(timeout, errors.CallTimedOut) and errors.is_transient(timeout)


def test_a_key_a_provider_echoes_is_hidden_before_its_answer_is_cut() -> None:
    key = "sk-proj-" + "a1" * 24
    said = f"{'x' * 150} Incorrect API key provided: {key}. You can find your API key at your account page."
    assert "a1a1" in said[:200], "cut first, the quote would keep the key's first half"
    response = httpx.Response(401, text=said, request=REQUEST)
    for error in (from_httpx(httpx.HTTPStatusError("status", request=REQUEST, response=response), "model endpoint"),
                  from_openai(openai.AuthenticationError(said, response=response, body=None))):
        assert isinstance(error, errors.RequestRejected) and "(401)" in str(error)
        assert "Incorrect API key provided: ***" in str(error) and "a1a1" not in str(error)
