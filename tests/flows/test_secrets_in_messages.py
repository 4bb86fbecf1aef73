"""A publish webhook URL carries secrets (a password, a token in its query): when the webhook fails, none of them
reaches a dead letter, the run's message, an artifact, a log line or the console."""

from __future__ import annotations

import socket
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from tests.conftest import run_python

SECRETS = ("pa55-in-userinfo", "t0ken-in-query")
TEXT = "Ada Lovelace met Charles Babbage of the Analytical Engine Company in London on 1843-07-10."


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _texts_of_the_run(flow_run_id: UUID) -> list[str]:
    """The run's state message, its artifacts and its log lines, as the Prefect API holds them."""
    async with get_client() as client:
        run = await client.read_flow_run(flow_run_id)
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
        logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        task_runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return ([run.state.message or "" if run.state else ""] + [str(a.data) + str(a.description) for a in artifacts]
            + [log.message for log in logs] + [t.name + (t.state.message or "" if t.state else "") for t in task_runs])


async def test_no_secret_of_a_failing_webhook_url_reaches_any_message(isolated_state: Path) -> None:
    url = f"http://agentic:{SECRETS[0]}@127.0.0.1:{_closed_port()}/hook?token={SECRETS[1]}"
    result = run_python("-m", "flows.document_pipeline", "--text", TEXT,
                        env={"AGENTIC_PUBLISH_WEBHOOK_URL": url, "PREFECT_LOGGING_LEVEL": "INFO"})
    assert result.returncode == 1, result.stderr[-2000:]
    letters = DeadLetters(PipelineStore.from_environment()).list()
    assert len(letters) == 1 and letters[0].error_type == "ConnectionFailed"
    assert "notification webhook http://***@127.0.0.1:" in letters[0].error_message
    assert "token=***" in letters[0].error_message
    flow_run_id = UUID(result.stdout.strip().rsplit("/", 1)[-1])
    places = {"dead letter": letters[0].error_message + (letters[0].raw_output or ""),
              "console": result.stdout + result.stderr,
              "Prefect API": "\n".join(await _texts_of_the_run(flow_run_id))}
    print({place: len(text) for place, text in places.items()}, "characters searched")
    for place, text in places.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into the {place}"
