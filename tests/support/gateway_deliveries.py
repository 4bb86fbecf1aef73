"""What the webhook gateway's tests share: a store of their own, delivery bodies, the deliveries the store recorded and
the flow runs a delivery started."""

from __future__ import annotations

import json
from pathlib import Path

from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from pydantic import SecretStr
from sqlmodel import Session, func, select

from agentic_kit import PipelineStore
from agentic_kit._blocks.tables import WebhookDeliveryRow


def gateway_store(folder: Path) -> PipelineStore:
    """A fresh SQLite store in folder."""
    return PipelineStore(database_url=SecretStr(f"sqlite:///{folder / 'gateway.db'}"))


def delivery_count(store: PipelineStore) -> int:
    """The deliveries the store recorded."""
    with Session(store.engine()) as session:
        return session.exec(select(func.count()).select_from(WebhookDeliveryRow)).one()


def delivery_body(text: str) -> bytes:
    """A delivery's JSON body: one document as its text."""
    return json.dumps({"text": text, "source": "crm"}).encode()


async def flow_runs_for(text: str) -> list:  # type: ignore[type-arg]
    """Flow runs of the event-triggered deployment whose inline text is this one."""
    async with get_client() as client:
        runs = await client.read_flow_runs(deployment_filter=DeploymentFilter(
            name=DeploymentFilterName(any_=["on-document-received"])))
    return [run for run in runs if run.parameters.get("texts") == [text]]
