"""Log lines that carry their flow-run, task-run and document ids; with AGENTIC_LOG_FORMAT=json, one JSON object a
line, for a log collector to index.

Prefect's run loggers already put the flow-run and task-run ids on their records; the document id comes from the
document being processed (`document_context`), so every line a document's steps log carries it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from agentic_kit._domain.settings import Settings
from agentic_kit._steps.tracing import prefect_ids

CURRENT_DOCUMENT: ContextVar[str | None] = ContextVar("agentic_document_id", default=None)
IDS = ("flow_run_id", "task_run_id", "document_id")


@contextmanager
def document_context(document_id: str) -> Iterator[None]:
    """Every log line written inside carries this document's id."""
    token = CURRENT_DOCUMENT.set(document_id)
    try:
        yield
    finally:
        CURRENT_DOCUMENT.reset(token)


class RunIds(logging.Filter):
    """Put flow_run_id, task_run_id and document_id on every record (None where there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ids = prefect_ids()
        if getattr(record, "task_run_id", None) is None:
            record.task_run_id = ids.get("prefect.task_run.id")
        if getattr(record, "flow_run_id", None) is None:
            record.flow_run_id = ids.get("prefect.flow_run.id")
        record.document_id = getattr(record, "document_id", None) or CURRENT_DOCUMENT.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object a record: time, level, logger, message, the three ids, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
                "logger": record.name, "message": record.getMessage(),
                **{name: (str(value) if (value := getattr(record, name, None)) else None) for name in IDS}}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def apply_log_format(settings: Settings | None = None) -> None:
    """Give Prefect's handlers the run ids, and the JSON formatter when AGENTIC_LOG_FORMAT is `json`."""
    import prefect.main  # noqa: F401 - Prefect configures its logging when this loads; ours goes on top of it

    settings = settings or Settings()
    if settings.log_format not in ("text", "json"):
        raise ValueError(f"AGENTIC_LOG_FORMAT must be text or json, not {settings.log_format!r}")
    for logger in (logging.getLogger("prefect"), logging.getLogger()):
        for handler in logger.handlers:
            if not any(isinstance(existing, RunIds) for existing in handler.filters):
                handler.addFilter(RunIds())
            if settings.log_format == "json":
                handler.setFormatter(JsonLines())
