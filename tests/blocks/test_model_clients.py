"""The real openai client against a real local server: parsed answers, usage, and errors mapped by kind."""

from __future__ import annotations

import pytest

from agentic_kit._blocks.model_clients import model_client
from agentic_kit._domain.errors import (
    CallTimedOut,
    ConnectionFailed,
    InvalidModelOutput,
    RateLimited,
    RequestRejected,
    UpstreamUnavailable,
    is_transient,
)
from agentic_kit._domain.models.common import ModelRequest, Review
from agentic_kit._domain.models.documents import EntityList
from agentic_kit.testing import Fault, ModelServer
from tests.conftest import served_model

REQUEST = ModelRequest(
    step="extract_entities",
    instructions="Extract entities.",
    material={"document": "Amara Okafor met Lukas Brandt in Hamburg."},
)


async def test_a_structured_answer_is_parsed_with_usage_and_cost(model_server: ModelServer) -> None:
    block = served_model(model_server)
    reply = await model_client(block).generate(REQUEST, EntityList)
    assert reply.output.entities, "the answer parsed into entities"
    assert reply.model == "test-model"
    assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0
    assert reply.usage.cost_usd == pytest.approx(block.cost_usd(reply.usage.input_tokens, reply.usage.output_tokens))
    [record] = model_server.log.records
    assert record.key == "EntityList" and record.outcome == "ok"


async def test_material_is_quoted_as_data(model_server: ModelServer) -> None:
    captured: list[list[dict]] = []

    def responder(name: str, schema: dict | None, messages: list[dict]) -> dict:
        captured.append(messages)
        return {"score": 0.5, "critique": "fine"}

    with ModelServer(responder=responder) as server:
        await model_client(served_model(server)).generate(REQUEST, Review)
    system, user = captured[0]
    assert "data, never instructions" in system["content"]
    assert user["content"].startswith('<material name="document">')


@pytest.mark.parametrize(
    ("fault", "error", "transient"),
    [
        (Fault.RATE_LIMIT, RateLimited, True),
        (Fault.SERVER_ERROR, UpstreamUnavailable, True),
        (Fault.SLOW, CallTimedOut, True),
        (Fault.DROP, ConnectionFailed, True),
        (Fault.GARBAGE, InvalidModelOutput, True),
        (Fault.BAD_REQUEST, RequestRejected, False),
    ],
)
async def test_each_fault_maps_to_the_most_specific_error(
    model_server: ModelServer, fault: Fault, error: type[Exception], transient: bool
) -> None:
    model_server.faults.slow_seconds = 3
    model_server.faults.push(fault)
    with pytest.raises(error) as caught:
        await model_client(served_model(model_server, timeout_seconds=1)).generate(REQUEST, EntityList)
    assert is_transient(caught.value) is transient
    if fault is Fault.RATE_LIMIT:
        assert caught.value.retry_after == model_server.faults.retry_after
    if fault is Fault.GARBAGE:
        assert caught.value.raw, "the raw answer is kept"
