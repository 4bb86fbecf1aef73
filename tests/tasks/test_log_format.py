"""Logs: with AGENTIC_LOG_FORMAT=json every line is one JSON object, and a document's steps log with the flow-run,
task-run and document ids."""

from __future__ import annotations

import json
from pathlib import Path

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
