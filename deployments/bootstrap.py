"""`make deploy`: one idempotent bootstrap of everything the deployments need on a Prefect server.

Creates the process work pool, registers the block types, saves the `default` blocks from the
environment (only when missing: edits made in the UI are kept), creates the global concurrency
limits, creates the notification blocks (the usual one and the one escalated reviews go to), applies
the automations, then runs `prefect deploy --all`.
Running it twice changes nothing.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import yaml
from prefect import get_client
from prefect.blocks.core import Block
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from agentic_kit import (
    EnrichmentApi,
    FetchPolicy,
    LanguageModel,
    ModelBudget,
    PipelineStore,
    PublishTargets,
    Settings,
    declared_limit_specs,
)
from agentic_kit.operate import NotificationBlocks, apply_automations
from deployments.concurrency import RESEARCH_LIMITS, ensure_concurrency_limits

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORK_POOL = "agentic-process"
DEFAULT_BLOCK_NAME = "default"
PIPELINE_BLOCKS: tuple[type[Block], ...] = (LanguageModel, EnrichmentApi, PipelineStore, PublishTargets, FetchPolicy)



async def ensure_work_pool(name: str = WORK_POOL) -> str:
    """Create the process work pool unless it exists."""
    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(name=name, type="process"))
        except ObjectAlreadyExists:
            return f"work pool {name}: exists"
    return f"work pool {name}: created"


async def ensure_default_blocks() -> list[str]:
    """Register the block types and save a `default` of each from the environment, unless one exists."""
    done = []
    for block_type in PIPELINE_BLOCKS:
        await block_type.aregister_type_and_schema()
        try:
            await block_type.aload(DEFAULT_BLOCK_NAME)
            done.append(f"{block_type.get_block_type_slug()}/{DEFAULT_BLOCK_NAME}: kept")
        except ValueError:
            await block_type.from_environment().asave(DEFAULT_BLOCK_NAME)  # type: ignore[attr-defined]
            done.append(f"{block_type.get_block_type_slug()}/{DEFAULT_BLOCK_NAME}: created from the environment")
    await ModelBudget.aregister_type_and_schema()  # budgets are saved per pipeline (`agentic budget set`), no default
    return done


def import_pipelines(prefect_file: Path = PROJECT_DIR / "prefect.yaml") -> None:
    """Import the module of every deployment's entrypoint, so each step it declares declares its dependency."""
    for deployment in yaml.safe_load(prefect_file.read_text()).get("deployments", []):
        path = deployment["entrypoint"].split(":", 1)[0]
        importlib.import_module(path.removesuffix(".py").replace("/", "."))


async def ensure_limits() -> list[str]:
    """The global concurrency limits: the research agents', the default model's, and those of every dependency a
    deployed pipeline's tool steps declare."""
    import_pipelines()
    specs = [*RESEARCH_LIMITS, *(await LanguageModel.aload(DEFAULT_BLOCK_NAME)).limits().specs(),
             *await declared_limit_specs(DEFAULT_BLOCK_NAME)]
    unique = {spec.name: spec for spec in specs}
    return await ensure_concurrency_limits(tuple(unique.values()))


async def ensure_notification_block(block: str, url: str) -> UUID:
    """The id of the notification block named block (type-slug/name); a custom webhook one is created or updated
    to post to url, any other must exist."""
    slug, name = block.split("/", 1)
    if slug == CustomWebhookNotificationBlock.get_block_type_slug():
        webhook = CustomWebhookNotificationBlock(
            name="agentic pipelines", url=url, method="POST",
            json_data={"subject": "{{subject}}", "body": "{{body}}"},
        )
        return await webhook.asave(name, overwrite=True)
    async with get_client() as client:
        try:
            document = await client.read_block_document_by_name(name=name, block_type_slug=slug)
        except ObjectNotFound:
            raise SystemExit(f"{block} (a notification block of the settings) does not exist: create it first.")
    return document.id


async def ensure_notification_blocks(settings: Settings) -> NotificationBlocks:
    """The usual notification block and the escalation block, created or updated."""
    return NotificationBlocks(
        alerts=await ensure_notification_block(settings.notification_block, settings.alerts_webhook_url),
        escalation=await ensure_notification_block(settings.escalation_block,
                                                   settings.escalation_webhook_url or settings.alerts_webhook_url),
    )


def deploy_all(settings: Settings) -> None:
    """`prefect deploy --all` from the project folder, with the inbox folder in its environment."""
    Path(settings.inbox_folder).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AGENTIC_INBOX_FOLDER": settings.inbox_folder}
    subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"],
                   cwd=PROJECT_DIR, env=env, check=True)


async def bootstrap(settings: Settings | None = None) -> None:
    """Everything the deployments need, created or brought up to date."""
    settings = settings or Settings()
    print(await ensure_work_pool())
    for line in await ensure_default_blocks():
        print(line)
    for line in await ensure_limits():
        print(line)
    notification_blocks = await ensure_notification_blocks(settings)
    print(f"notifications: {settings.notification_block}, escalations: {settings.escalation_block}")
    for line in await apply_automations(notification_blocks):
        print(line)
    deploy_all(settings)


if __name__ == "__main__":
    asyncio.run(bootstrap())
