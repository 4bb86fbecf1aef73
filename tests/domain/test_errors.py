"""Errors survive pickling with their details: Prefect persists a failed task's exception."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from agentic_kit._domain.errors import (
    CircuitOpen,
    InvalidModelOutput,
    MalformedResponse,
    RateLimited,
    UnrepairableOutput,
    is_transient,
)


def test_errors_keep_their_details_through_pickle() -> None:
    until = datetime(2026, 1, 1, tzinfo=UTC)
    for error, detail in [
        (RateLimited("slow down", 2.5), "retry_after"),
        (MalformedResponse("bad JSON", "{oops"), "raw"),
        (InvalidModelOutput("not a Summary", "Sure! {"), "raw"),
        (UnrepairableOutput("still invalid", "Sure! {"), "raw"),
        (CircuitOpen("model", until), "until"),
    ]:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert getattr(copy, detail) == getattr(error, detail)


def test_what_is_worth_retrying() -> None:
    assert is_transient(RateLimited("x")) and is_transient(TimeoutError()) and is_transient(CircuitOpen("m", datetime.now(UTC)))
    assert not is_transient(UnrepairableOutput("x", "raw")) and not is_transient(ValueError())
