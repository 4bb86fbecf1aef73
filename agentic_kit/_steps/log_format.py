"""Log lines that carry their flow-run, task-run and document ids; with AGENTIC_LOG_FORMAT=json, one JSON object a
line, for a log collector to index.

Prefect's run loggers already put the flow-run and task-run ids on their records; the document id comes from the
document being processed (`document_context`), so every line a document's steps log carries it.

Every record is redacted (agentic_kit/_domain/redaction.py) before any handler sees it, its traceback included:
no secret reaches the console, a log file or the Prefect API through a log line, whoever logged it (Prefect's
engine logging a failed task with its traceback, httpx's exception naming a webhook URL, our own code).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from agentic_kit._domain.redaction import redacted_text, register_credentials
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


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place: its message (arguments merged in) and its traceback, when they hold a secret."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is the handler's to report, as logging does
        return
    if (shown := redacted_text(message)) != message:
        record.msg, record.args = shown, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text and (shown := redacted_text(record.exc_text)) != record.exc_text:
        # formatters print exc_text; one that formats the exception itself (a JSON one) gets none to leak
        record.exc_text, record.exc_info = shown, None


class RedactSecrets(logging.Filter):
    """A handler filter that redacts every record it passes (records the record factory did not make: ones
    rebuilt from another process)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _redacting(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A log record factory that redacts each record it makes."""

    def make(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redact_record(record)
        return record

    make.redacts = True  # type: ignore[attr-defined]
    return make


def redact_logs() -> None:
    """Redact every log record of this process from now on: a record factory (it outlives Prefect's reconfiguring
    its handlers) and a RedactSecrets filter on every handler there is now. Prefect's API credentials are registered
    as secrets first. Calling it again adds nothing."""
    from prefect.settings import get_current_settings

    api = get_current_settings().api
    register_credentials(api.auth_string, api.key)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts", False):
        logging.setLogRecordFactory(_redacting(factory))
    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
                handler.addFilter(RedactSecrets())


class JsonLines(logging.Formatter):
    """One JSON object a record: time, level, logger, message, the three ids, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(), "level": record.levelname,
                "logger": record.name, "message": record.getMessage(),
                **{name: (str(value) if (value := getattr(record, name, None)) else None) for name in IDS}}
        if record.exc_text or record.exc_info:
            line["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(line, ensure_ascii=False)


def apply_log_format(settings: Settings | None = None) -> None:
    """Give Prefect's handlers the run ids, and the JSON formatter when AGENTIC_LOG_FORMAT is `json`; redact every
    record (redact_logs)."""
    import prefect.main  # noqa: F401 - Prefect configures its logging when this loads; ours goes on top of it

    settings = settings or Settings()
    redact_logs()
    if settings.log_format not in ("text", "json"):
        raise ValueError(f"AGENTIC_LOG_FORMAT must be text or json, not {settings.log_format!r}")
    for logger in (logging.getLogger("prefect"), logging.getLogger()):
        for handler in logger.handlers:
            if not any(isinstance(existing, RunIds) for existing in handler.filters):
                handler.addFilter(RunIds())
            if settings.log_format == "json":
                handler.setFormatter(JsonLines())
