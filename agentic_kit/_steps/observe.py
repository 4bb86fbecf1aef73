"""Every model and tool call observed the same way: a GenAI span, and a row in the store's `calls` table with its
outcome and duration (what metrics and SLOs are computed from, whichever worker made the call)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime

from opentelemetry.trace import SpanKind, Status, StatusCode
from prefect.context import TaskRunContext

from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import CallOutcome, CallRow, ModelExchangeRow
from agentic_kit._domain.errors import is_transient
from agentic_kit._domain.models.common import ModelReply, ModelRequest
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.log_format import redact_logs
from agentic_kit._steps.record_writer import RECORDS, RecordKind, added_rows
from agentic_kit._steps.shared_budget import PROCESS_LEASES
from agentic_kit._steps.tracing import flow_run_span, prefect_ids, tracer

MODEL, TOOL = "model", "tool"
WEB = "web"
"""The dependency name of page fetches (a bounded label; the URL is not one)."""
OPERATIONS = {MODEL: "chat", TOOL: "execute_tool"}
TRACE_CONTENT = Settings().trace_content
"""Read once, when this module is imported (building Settings costs milliseconds, too much for every call)."""
"""gen_ai.operation.name by kind of call."""


@dataclass
class Observation:
    """What the call tells its observer once it has answered."""

    reply: ModelReply | None = None


def attempt_outcome(error: BaseException) -> CallOutcome:
    """`retried` when the task will try again (a transient error with retries left), else `failed`."""
    run = TaskRunContext.get()
    retries_left = run is not None and run.task_run.run_count <= (run.task.retries or 0)
    return "retried" if is_transient(error) and retries_left else "failed"


def _reply_attributes(reply: ModelReply, request: ModelRequest | None) -> dict[str, object]:
    attributes: dict[str, object] = {
        "gen_ai.response.model": reply.model,
        "gen_ai.usage.input_tokens": reply.usage.input_tokens,
        "gen_ai.usage.output_tokens": reply.usage.output_tokens,
        "gen_ai.response.finish_reasons": reply.finish_reasons,
    }
    if TRACE_CONTENT:
        if request is not None:
            attributes["gen_ai.input.messages"] = json.dumps(
                {"instructions": request.instructions, "material": request.material})
        attributes["gen_ai.output.messages"] = reply.output.model_dump_json()
    return attributes


@asynccontextmanager
async def observed_call(kind: str, step: str, target: str, store: PipelineStore | None,
                        request: ModelRequest | None = None, call_id: str | None = None,
                        ) -> AsyncIterator[Observation]:
    """Around one call attempt: a CLIENT span named `<operation> <target>` (with the model's tool call id, for an
    agent's tool call), then the attempt's row in `calls` (no row when the step has no store: a page fetch)."""
    observation = Observation()
    attributes = {"gen_ai.operation.name": OPERATIONS[kind], "agentic.step": step, **prefect_ids()}
    attributes["gen_ai.request.model" if kind == MODEL else "gen_ai.tool.name"] = target
    if call_id is not None:
        attributes["gen_ai.tool.call.id"] = call_id
    started_at, started = utc_now(), time.perf_counter()
    outcome: CallOutcome = "ok"
    error_type = None
    with tracer().start_as_current_span(f"{OPERATIONS[kind]} {target}", kind=SpanKind.CLIENT,
                                        attributes=attributes) as span:
        try:
            yield observation
        except BaseException as error:
            outcome, error_type = attempt_outcome(error), type(error).__name__
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR, str(error)[:200]))
            raise
        else:
            if observation.reply is not None:
                span.set_attributes(_reply_attributes(observation.reply, request))  # type: ignore[arg-type]
        finally:
            if store is not None:
                _record(store, kind, step, target, outcome, error_type, time.perf_counter() - started,
                              started_at)


CALL_ROWS: RecordKind[CallRow | ModelExchangeRow] = added_rows("call rows and model exchanges")


def _record(store: PipelineStore, kind: str, step: str, target: str, outcome: CallOutcome,
            error_type: str | None, seconds: float, started_at: datetime) -> None:
    """Queue the attempt's row for `calls`."""
    ids = prefect_ids()
    RECORDS.add(store, CALL_ROWS, CallRow(
        flow_run_id=ids.get("prefect.flow_run.id"), task_run_id=ids.get("prefect.task_run.id"), kind=kind, step=step,
        target=target, outcome=outcome, error_type=error_type, duration_seconds=seconds, started_at=started_at))


def record_cached_answers(store: PipelineStore, step: str, model: str, count: int = 1) -> None:
    """Queue a `calls` row (outcome cached, no duration) for each answer a model step took from Prefect's cache
    instead of asking its model: what the cached figure of agentic_model_calls_total counts."""
    ids = prefect_ids()
    for _ in range(count):
        RECORDS.add(store, CALL_ROWS, CallRow(
            flow_run_id=ids.get("prefect.flow_run.id"), kind=MODEL, step=step, target=model, outcome="cached",
            duration_seconds=0.0, started_at=utc_now()))


@contextmanager
def observed_run(pipeline: str) -> Iterator[None]:
    """A flow run's span, its log records redacted (redact_logs); when it ends, the unused room of the process's
    budget leases is given back and every record still queued (calls, exchanges, cache entries) is written."""
    redact_logs()
    try:
        with flow_run_span(pipeline):
            yield
    finally:
        PROCESS_LEASES.give_back_unused_room()
        RECORDS.flush()
