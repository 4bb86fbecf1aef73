"""Logs: with AGENTIC_LOG_FORMAT=json every line is one JSON object, and a document's steps log with the flow-run,
task-run and document ids; no record carries a secret."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from uuid import uuid4

from agentic_kit._domain.redaction import register_secret
from agentic_kit._steps.log_format import RedactSecrets, redact_logs
from tests.conftest import run_python


def test_json_lines_carry_the_run_and_document_ids(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "note.txt").write_text("Ingrid Halvorsen of Halvorsen Analytics met the Oslo Port Authority in May.")
    result = run_python("-m", "flows.document_pipeline", str(folder),
                        env={"AGENTIC_LOG_FORMAT": "json", "PREFECT_LOGGING_LEVEL": "INFO"})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    steps = [r for r in records if r["task_run_id"] and r["document_id"]]
    print(f"JSON log lines: {len(records)}; with flow-run, task-run and document ids: {len(steps)}")
    assert records and all({"time", "level", "logger", "message", "flow_run_id"} <= set(r) for r in records)
    assert steps and all(r["flow_run_id"] and len(r["document_id"]) == 64 for r in steps)
    assert any(r["logger"] == "prefect.task_runs" for r in steps)


def test_a_log_record_loses_every_secret_of_its_message_and_its_traceback() -> None:
    secret = f"log-secret-{uuid4().hex}"
    register_secret(secret)
    redact_logs()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("agentic-tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"Client error '401 Unauthorized' for url 'https://hooks.example/{secret}'")
        except RuntimeError:
            logger.exception("calling with key %s failed", secret)
    finally:
        logger.removeHandler(handler)
    shown = stream.getvalue()
    assert secret not in shown and "calling with key *** failed" in shown
    assert "for url 'https://hooks.example/***'" in shown and "Traceback" in shown
    rebuilt = logging.makeLogRecord({"msg": f"from another process: {secret}"})  # not made by the factory
    RedactSecrets().filter(rebuilt)
    assert rebuilt.getMessage() == "from another process: ***"
