"""The LLM-call policy against a real model server: which errors retry, how long it waits, the timeout."""

from __future__ import annotations

import time
from uuid import UUID

import pytest
from prefect import get_client
from prefect.states import State
from prefect.utilities.math import lower_clamp_multiple

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.errors import RequestRejected, UnrepairableOutput
from agentic_kit._domain.models.common import ModelReply
from agentic_kit._domain.models.documents import DocumentPart, EntityList
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.policies import LLM_CALL
from agentic_kit.testing import Fault, ModelServer
from tasks.documents.agents import extract_entities
from tests.conftest import served_model

PART = DocumentPart(document_id="d" * 64, index=0, count=1, text="Amara Okafor met Lukas Brandt in Hamburg.")


async def extract_once(model: LanguageModel) -> State[ModelReply[EntityList]]:
    """One extraction task run, its final state returned whatever it is."""
    return await extract_entities.task(PART, model=model, store=PipelineStore.from_environment(), return_state=True)


async def _retry_delays(task_run_id: UUID) -> list[float]:
    """The waits Prefect scheduled before each retry, read from the task run's state history."""
    async with get_client() as client:
        states = await client.read_task_run_states(task_run_id)
    return [
        (s.state_details.scheduled_time - s.timestamp).total_seconds() for s in states if s.name == "AwaitingRetry"
    ]


async def test_transient_errors_are_retried_with_capped_jittered_backoff(model_server: ModelServer) -> None:
    transient = [Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.DROP, Fault.SERVER_ERROR]
    for fault in transient:
        model_server.faults.push(fault)
    state = await extract_once(served_model(model_server))

    assert state.is_completed(), state.message
    outcomes = [r.outcome for r in model_server.log.records]
    assert outcomes == [*transient, "ok"], "each fault was retried, then the call succeeded"
    settings = Settings()
    planned = LLM_CALL["retry_delay_seconds"]
    assert planned == [min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2**i) for i in range(4)]
    delays = await _retry_delays(state.state_details.task_run_id)
    jitter = settings.backoff_jitter
    assert len(delays) == len(transient)
    for delay, plan in zip(delays, planned, strict=True):
        assert plan * lower_clamp_multiple(1 + jitter) - 0.05 <= delay <= plan * (1 + jitter) + 0.05


async def test_an_invalid_answer_gets_one_repair_round_with_the_validation_error(model_server: ModelServer) -> None:
    model_server.faults.push(Fault.GARBAGE)
    state = await extract_once(served_model(model_server))

    assert state.is_completed(), state.message
    first, repair = model_server.log.records
    assert (first.outcome, repair.outcome) == ("garbage", "ok")
    assert first.fingerprint != repair.fingerprint, "the repair request carries the invalid answer and the error"


async def test_an_answer_still_invalid_after_repair_is_not_retried_and_keeps_the_raw_answer(
    model_server: ModelServer,
) -> None:
    model_server.faults.push(Fault.GARBAGE, times=2)
    state = await extract_once(served_model(model_server))

    assert state.is_failed()
    with pytest.raises(UnrepairableOutput) as caught:
        await state.aresult()
    assert caught.value.raw and "after a repair round" in str(caught.value)
    assert model_server.log.count() == 2, "one call and one repair round, no retry"


async def test_a_rejected_request_is_not_retried(model_server: ModelServer) -> None:
    model_server.faults.push(Fault.BAD_REQUEST)
    state = await extract_once(served_model(model_server))

    assert state.is_failed()
    with pytest.raises(RequestRejected):
        await state.aresult()
    assert model_server.log.count() == 1, "a 400 is never sent twice"


async def test_the_call_timeout_cuts_a_hanging_call_and_the_retry_succeeds(model_server: ModelServer) -> None:
    model_server.faults.slow_seconds = 20
    model_server.faults.push(Fault.SLOW)
    started = time.monotonic()
    state = await extract_once(served_model(model_server, timeout_seconds=60))

    assert state.is_completed(), state.message
    assert time.monotonic() - started < 15, "the 3 s call timeout fired long before the 20 s response"
    assert [r.outcome for r in model_server.log.records][-1] == "ok"
    assert model_server.log.count(outcome="ok") == 1
