"""A distinct canary in every secret setting, a document run where the providers echo them, then a search of
everything the run left: no canary anywhere.

The model key, the enrichment token, the publish webhook (its URL carries a token in its path, Slack-style, and it
has a bearer token), the alerts and escalation webhooks and the webhook gateway's secret each get a canary value.
The model endpoint, the enrichment API and the publish webhook each answer one call `401 Incorrect API key
provided: <the credential sent>`, so three documents fail with a provider's echo in their error, and httpx's own
exception text names the webhook's URL. The run's model calls are recorded to a cassette. Then the console of both
commands, every text column of every table of the store (and the database file's bytes), the result storage
folder's files (the pickled results decoded), the exports, the cassette and the Prefect API (the flow run's and
task runs' states and names, its logs, its artifacts, the events since the test started) are searched.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.events.filters import EventFilter, EventOccurredFilter

from agentic_kit.testing import EnrichmentServer, Fault, ModelServer, PublishSink
from tests.conftest import run_python

CANARIES = {name: f"canary{name.replace('_', '')}{uuid4().hex[:20]}" for name in (
    "model_key", "enrichment_token", "webhook_path_token", "webhook_token", "alerts_path_token",
    "escalation_path_token", "gateway_secret")}
CONTROL = "control-source-"
SOURCES = [f"{CONTROL}{n}.txt" for n in range(5)]
"""The documents' names: a control that each place searched does hold what the run wrote."""
TEXTS = [
    "Ada Lovelace met Charles Babbage of the Analytical Engine Company in London on 1843-07-10.",
    "Amara Okafor of Northwind Traders visited Bristol in May 2024 to sign the supply deal.",
    "Lukas Brandt signed the contract with Halvorsen Analytics in Oslo on 3 March 2025.",
    "Grace Hopper of Remington Rand presented the compiler in Philadelphia in 1952.",
    "Marie Curie of the Radium Institute lectured in Warsaw in 1913 about polonium.",
]
RUN = """
import asyncio, json, sys
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport, print_report
texts, sources = json.loads(sys.argv[1]), json.loads(sys.argv[2])
state = asyncio.run(document_pipeline(texts=texts, sources=sources, review_threshold=0.0, return_state=True))
report = state.result(raise_on_failure=False)
if isinstance(report, PipelineReport):
    print_report(report)
print(state.state_details.flow_run_id)
"""


def _hits(text: str) -> dict[str, int]:
    """How many times each canary, and the control, occur in a text."""
    return {name: text.count(value) for name, value in [*CANARIES.items(), ("control", CONTROL)]}


def _store_texts(database: Path) -> str:
    """Every value of every table of the SQLite store, as text."""
    connection = sqlite3.connect(database)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = [value for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')
                  for value in row]
    finally:
        connection.close()
    return "\n".join(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value) for value in values)


def _strings(value: Any) -> list[str]:
    """The strings inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _file_texts(folder: Path) -> str:
    """Every file under a folder as text, base64 decoded too: a persisted result is a pickle in base64, alone in
    its file or as the `result` of a JSON record."""
    texts: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts.append(data.decode("utf-8", "replace"))
        try:
            strings = _strings(json.loads(data))
        except ValueError:
            strings = [data.decode("latin-1")]
        for string in strings:
            try:
                texts.append(base64.b64decode("".join(string.split()), validate=True).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                pass
    return "\n".join(texts)


async def _prefect_texts(flow_run_id: UUID, since: datetime) -> dict[str, str]:
    """What the Prefect API holds of the run: states and names, logs, artifacts, and every event since `since`."""
    async with get_client() as client:
        run = await client.read_flow_run(flow_run_id)
        states = await client.read_flow_run_states(flow_run_id)
        task_runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        task_states = [state for task_run in task_runs for state in await client.read_task_run_states(task_run.id)]
        logs: list[Any] = []
        while page := await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                                             limit=200, offset=len(logs)):
            logs += page
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
        page = await client.read_events(filter=EventFilter(occurred=EventOccurredFilter(since=since)), limit=50)
        events = list(page.events)
        while page.next_page:
            page = await client.read_events_page(page.next_page)
            events += page.events
    return {
        "flow run and task run states": "\n".join(
            [run.name, run.state.model_dump_json() if run.state else "", *(s.model_dump_json() for s in states),
             *(t.name + (t.state.model_dump_json() if t.state else "") for t in task_runs),
             *(s.model_dump_json() for s in task_states)]),
        "logs": "\n".join(log.message for log in logs),
        "artifacts": "\n".join(artifact.model_dump_json() for artifact in artifacts),
        "events": "\n".join(event.model_dump_json() for event in events),
    }


async def _until_the_run_is_announced(flow_run_id: UUID, since: datetime) -> None:
    """Wait (20 s at most) for the run's final event: the events the run emitted are stored by then."""
    async with get_client() as client:
        for _ in range(40):
            page = await client.read_events(filter=EventFilter(occurred=EventOccurredFilter(since=since)), limit=50)
            if any(event.resource.id == f"prefect.flow-run.{flow_run_id}" and event.event.endswith(".Failed")
                   for event in page.events):
                return
            await asyncio.sleep(0.5)


async def test_no_canary_of_any_secret_setting_is_left_anywhere_after_a_run_where_providers_echo_them(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    since = datetime.now(UTC)
    with ModelServer() as model, EnrichmentServer(token=CANARIES["enrichment_token"]) as enrichment, \
            PublishSink(path=f"/services/T0/B0/{CANARIES['webhook_path_token']}") as webhook:
        model.faults.push(Fault.UNAUTHORIZED)
        enrichment.faults.push(Fault.UNAUTHORIZED)
        webhook.faults.push(Fault.UNAUTHORIZED, match="document.published")
        env = {
            "AGENTIC_MODEL_PROVIDER": "openai-compatible", "OPENAI_BASE_URL": f"{model.url}/v1",
            "OPENAI_API_KEY": CANARIES["model_key"], "AGENTIC_MODEL": "test-model",
            "AGENTIC_ENRICHMENT_URL": enrichment.url, "AGENTIC_ENRICHMENT_TOKEN": CANARIES["enrichment_token"],
            "AGENTIC_PUBLISH_WEBHOOK_URL": webhook.notify_url,
            "AGENTIC_PUBLISH_WEBHOOK_TOKEN": CANARIES["webhook_token"],
            "AGENTIC_ALERTS_WEBHOOK_URL": f"https://hooks.example/services/T1/B1/{CANARIES['alerts_path_token']}",
            "AGENTIC_ESCALATION_WEBHOOK_URL": f"https://hooks.example/webhooks/7/{CANARIES['escalation_path_token']}",
            "AGENTIC_WEBHOOK_SECRET": f"whsec_{CANARIES['gateway_secret']}",
            "PREFECT_LOGGING_LEVEL": "INFO",
        }
        run = run_python("-c", RUN, json.dumps(TEXTS), json.dumps(SOURCES), env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        flow_run_id = UUID(run.stdout.strip().splitlines()[-1])
        echoed = {"model": model.log.faults_by_kind(), "enrichment": enrichment.log.faults_by_kind(),
                  "webhook": webhook.log.faults_by_kind()}
    assert all(faults == {Fault.UNAUTHORIZED.value: 1} for faults in echoed.values()), echoed
    cassette = isolated_state / "run.cassette.json"
    recorded = run_python("-m", "agentic_kit", "cassette", "record", str(flow_run_id), str(cassette), env=env)
    assert recorded.returncode == 0, recorded.stdout[-2000:] + recorded.stderr[-2000:]
    await _until_the_run_is_announced(flow_run_id, since)

    places = {
        "console": run.stdout + run.stderr + recorded.stdout + recorded.stderr,
        "store (every table)": _store_texts(isolated_state / "store.db"),
        "store (database file)": (isolated_state / "store.db").read_bytes().decode("utf-8", "replace"),
        "result storage": _file_texts(isolated_state / "results"),
        "exports": _file_texts(isolated_state / "exports"),
        "cassette": cassette.read_text(),
        **{f"Prefect API {name}": text for name, text in (await _prefect_texts(flow_run_id, since)).items()},
    }
    hits = {place: _hits(text) for place, text in places.items()}
    searched = {place: len(text) for place, text in places.items()}
    print(f"\n{len(CANARIES)} canaries searched in {sum(searched.values()):,} characters: {searched}")
    leaks = {place: {name: n for name, n in counts.items() if n and name != "control"} for place, counts in hits.items()}
    leaks = {place: found for place, found in leaks.items() if found}
    assert not leaks, f"canaries found: {leaks}; characters searched per place: {searched}"
    assert "401" in places["store (every table)"] and "Incorrect API key provided: ***" in places["store (every table)"]
    for place in ("store (every table)", "result storage", "exports", "Prefect API artifacts"):
        assert hits[place]["control"], f"the {place} holds none of the run's documents: the search read nothing"
    print(f"0 hits for each canary; control hits: { {place: counts['control'] for place, counts in hits.items()} }")

