"""Day-to-day operations with real parts: bootstrap, a process worker, the Prefect CLI, automations.

One bootstrap and one `prefect worker start` (tests/deployments/conftest.py) serve the package;
each test points the `default` blocks at its own servers and store, as a user would edit them in the UI.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.events import emit_event
from pydantic import SecretStr
from sqlmodel import Session, func, select

from agentic_kit import PipelineStore
from agentic_kit._blocks.tables import DocumentRow
from agentic_kit._domain.events import BUDGET_EXHAUSTED, BUDGET_RESOURCE_PREFIX, CIRCUIT_OPENED
from agentic_kit.testing import EnrichmentServer, ModelServer, NotificationSink
from flows.document_pipeline import document_pipeline
from tests.conftest import REPO_ROOT, free_port, run_python, served_model
from tests.deployments.conftest import final_state, notification_urls, point_default_blocks
from tests.flows.conftest import SHORT_SAMPLES, copy_samples

pytestmark = pytest.mark.e2e


def _run_deployment(name: str, *params: str) -> UUID:
    """`prefect deployment run NAME --param …`; the id of the flow run it created."""
    args = [arg for param in params for arg in ("--param", param)]
    result = run_python("-m", "prefect", "deployment", "run", name, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return UUID(re.search(r"UUID: ([0-9a-f-]{36})", result.stdout).group(1))  # type: ignore[union-attr]


def _stored(database: Path) -> int:
    store = PipelineStore(database_url=SecretStr(f"sqlite:///{database}"))
    with Session(store.engine()) as session:
        return session.exec(select(func.count()).select_from(DocumentRow)).one()


async def test_a_deployment_run_from_the_cli_completes_on_the_worker(
    worker: None, model_server: ModelServer, enrichment_server: EnrichmentServer, tmp_path: Path
) -> None:
    await point_default_blocks(served_model(model_server), enrichment_server.url, tmp_path / "ops.db")
    flow_run_id = _run_deployment("document-pipeline/manual", f"folder={copy_samples(tmp_path / 'documents')}")
    assert await final_state(flow_run_id) == "Completed"
    assert _stored(tmp_path / "ops.db") == sum(SHORT_SAMPLES.values())
    assert model_server.log.count(outcome="ok") == SHORT_SAMPLES["processed"] * 3


async def test_a_run_failed_by_an_enrichment_outage_is_retried_from_the_cli_without_repeating_model_calls(
    worker: None, model_server: ModelServer, tmp_path: Path
) -> None:
    port = free_port()
    await point_default_blocks(served_model(model_server), f"http://127.0.0.1:{port}", tmp_path / "ops.db")
    flow_run_id = _run_deployment("document-pipeline/manual", f"folder={copy_samples(tmp_path / 'documents')}")
    assert await final_state(flow_run_id) == "Failed"
    extractions = model_server.log.count(key="EntityList", outcome="ok")

    with EnrichmentServer().start(port=port):
        retried = run_python("-m", "prefect", "flow-run", "retry", str(flow_run_id))
        assert retried.returncode == 0, retried.stdout + retried.stderr
        await asyncio.sleep(2)
        assert await final_state(flow_run_id) == "Completed"

    assert model_server.log.count(key="EntityList", outcome="ok") == extractions
    assert model_server.log.repeated_ok() == {}, "no finished model call was repeated"
    assert _stored(tmp_path / "ops.db") == sum(SHORT_SAMPLES.values())


async def test_a_failed_run_and_an_opened_circuit_notify_through_the_automations(
    worker: None, sink: NotificationSink
) -> None:
    state = await document_pipeline(folder=str(REPO_ROOT / "no-such-folder"), return_state=True)
    assert state.is_failed()
    async with get_client() as client:
        run = await client.read_flow_run(state.state_details.flow_run_id)
    note = sink.wait_for(f"Flow run Failed: {run.name}")
    assert "does not exist" in note["body"] and str(run.id) in note["body"], "the message and the run's link"

    emit_event(event=CIRCUIT_OPENED, resource={"prefect.resource.id": "agentic.dependency.model"},
               payload={"failures": 5})
    note = sink.wait_for("Circuit opened: agentic.dependency.model")
    assert "failing" in note["body"]


async def test_an_exhausted_budget_notifies_through_its_automation(worker: None, sink: NotificationSink) -> None:
    message = "summarize: the document-pipeline budget of $5.00 a day is spent until 2026-12-07 00:00 UTC"
    emit_event(event=BUDGET_EXHAUSTED, resource={"prefect.resource.id": f"{BUDGET_RESOURCE_PREFIX}document-pipeline",
                                                 "prefect.resource.name": "document-pipeline budget"},
               payload={"pipeline": "document-pipeline", "message": message})
    note = sink.wait_for("Budget exhausted: document-pipeline budget")
    assert note["body"] == message


async def test_a_run_paused_for_review_sends_the_link_to_its_form(worker: None, sink: NotificationSink) -> None:
    state = await document_pipeline(texts=["Amara Okafor visited Bristol for Northwind Traders Ltd."],
                                    review_threshold=1.01, review_timeout_seconds=8, return_state=True)
    async with get_client() as client:
        run = await client.read_flow_run(state.state_details.flow_run_id)
    note = sink.wait_for(f"Review needed: {run.name}", timeout=120)
    assert f"/runs/flow-run/{run.id}" in note["body"], "the notification links to the run's review form"


async def _inventory() -> dict[str, list[str]]:
    """Names (and ids) of what the bootstrap manages, as the server holds them."""
    async with get_client() as client:
        automations = await client.read_automations()
        deployments = await client.read_deployments()
        pools = await client.read_work_pools()
        blocks = await client.read_block_documents()
    return {
        "automations": sorted(f"{a.name}:{a.id}" for a in automations if a.name.startswith("agentic: ")),
        "triggers": sorted(a.name for a in automations if not a.name.startswith("agentic: ")),
        "deployments": sorted(f"{d.name}:{d.id}" for d in deployments),
        "pools": sorted(p.name for p in pools),
        "blocks": sorted(f"{b.block_type.slug}/{b.name}:{b.id}" for b in blocks if b.name and b.block_type),
    }


async def test_running_the_bootstrap_twice_changes_nothing(
    worker: None, sink: NotificationSink, escalation_sink: NotificationSink
) -> None:
    before = await _inventory()
    again = run_python("-m", "deployments.bootstrap", env=notification_urls(sink, escalation_sink))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "updated agentic: flow run failed or crashed" in again.stdout
    assert "created agentic:" not in again.stdout and "created from the environment" not in again.stdout
    after = await _inventory()
    assert after == before
    assert len(before["automations"]) == 13 and len(before["deployments"]) == 10


async def test_the_research_deployment_asks_for_a_question_and_uses_the_default_blocks(worker: None) -> None:
    async with get_client() as client:
        deployment = await client.read_deployment_by_name("research-pipeline/manual")
        fetch_policy = await client.read_block_document_by_name("default", "fetch-policy")
    schema = deployment.parameter_openapi_schema
    assert schema["required"] == ["question"] and schema["properties"]["question"]["type"] == "string"
    assert deployment.parameters["fetch_policy"] == "default" and fetch_policy.name == "default"
