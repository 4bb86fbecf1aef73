"""OpenTelemetry spans for flow runs, documents, and model and tool calls, in the GenAI semantic conventions.

Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the standard OTEL_*
variables: endpoint, headers, timeout); with none set, the tracer is a no-op and nothing is sent. The provider is
ours, not the global one, so a library's own tracing is neither captured nor disturbed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prefect.context import FlowRunContext, TaskRunContext

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
SERVICE_NAME = "agentic-pipelines"
_provider: TracerProvider | None = None
_configured = False


def tracer() -> trace.Tracer:
    """Our tracer: exporting when an OTLP endpoint is set, else a no-op."""
    global _provider, _configured
    if not _configured:
        _configured = True
        if os.environ.get(ENDPOINT_VARIABLE):
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", SERVICE_NAME)})
            _provider = TracerProvider(resource=resource)
            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return _provider.get_tracer("agentic") if _provider else trace.NoOpTracer()


def flush() -> None:
    """Send the spans still buffered (at the end of a flow run, before its process may exit)."""
    if _provider is not None:
        _provider.force_flush()


def prefect_ids() -> dict[str, str]:
    """The Prefect flow-run and task-run ids of the code running now, as span attributes."""
    ids = {}
    task_run = TaskRunContext.get()
    flow_run = FlowRunContext.get()
    if task_run is not None:
        ids["prefect.task_run.id"] = str(task_run.task_run.id)
        if task_run.task_run.flow_run_id:
            ids["prefect.flow_run.id"] = str(task_run.task_run.flow_run_id)
    elif flow_run is not None and flow_run.flow_run is not None:
        ids["prefect.flow_run.id"] = str(flow_run.flow_run.id)
    return ids


@contextmanager
def flow_run_span(pipeline: str) -> Iterator[trace.Span]:
    """The span of one flow run: every document and call span of the run is under it."""
    try:
        with tracer().start_as_current_span(pipeline, attributes={"agentic.pipeline": pipeline,
                                                                  **prefect_ids()}) as span:
            yield span
    finally:
        flush()


@contextmanager
def document_span(document_id: str, source: str) -> Iterator[trace.Span]:
    """The span of one document's processing: its model and tool call spans are under it."""
    attributes = {"agentic.document.id": document_id, "agentic.document.source": source, **prefect_ids()}
    with tracer().start_as_current_span("document", attributes=attributes) as span:
        yield span
