"""The fleet's bootstrap: `make deploy`'s, plus the object store's blocks, the urgent queue, and deployments whose
code is pushed to the object store (workers pull it for each run).

Run with the fleet's environment (Fleet.bootstrap does); running it again changes nothing but the pushed code.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from prefect import get_client
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect_aws import AwsClientParameters, AwsCredentials, S3Bucket
from pydantic import SecretStr

from agentic_kit import Settings
from agentic_kit.operate import apply_automations
from deployments.bootstrap import (
    PROJECT_DIR,
    WORK_POOL,
    ensure_default_blocks,
    ensure_limits,
    ensure_notification_blocks,
    ensure_work_pool,
)
from deployments.fleet.topology import (
    BUCKET,
    CREDENTIALS_BLOCK,
    OBJECT_STORE_KEY,
    OBJECT_STORE_SECRET,
    RESULTS_BLOCK,
    RESULTS_FOLDER,
    URGENT_QUEUE,
)

PREFECT_FILE = PROJECT_DIR / "deployments" / "fleet" / "prefect.yaml"
DEFAULT_QUEUE = "default"
URGENT_PRIORITY = 1
DEFAULT_PRIORITY = 10
"""Lower is more urgent: a worker with room for one more run takes an urgent run before any default one."""


async def ensure_storage_blocks(object_store_url: str) -> list[str]:
    """The credentials block (keys and endpoint) and the S3 bucket block results are persisted to."""
    credentials = AwsCredentials(
        aws_access_key_id=OBJECT_STORE_KEY, aws_secret_access_key=SecretStr(OBJECT_STORE_SECRET),
        region_name="us-east-1", aws_client_parameters=AwsClientParameters(endpoint_url=object_store_url),
    )
    await credentials.asave(CREDENTIALS_BLOCK, overwrite=True)
    bucket = S3Bucket(bucket_name=BUCKET, bucket_folder=RESULTS_FOLDER, credentials=credentials)
    await bucket.asave(RESULTS_BLOCK, overwrite=True)
    return [f"aws-credentials/{CREDENTIALS_BLOCK}: saved ({object_store_url})",
            f"s3-bucket/{RESULTS_BLOCK}: saved (s3://{BUCKET}/{RESULTS_FOLDER}, the default result storage)"]


async def ensure_queues() -> list[str]:
    """The pool's `default` queue at priority 10 and an `urgent` queue at priority 1."""
    async with get_client() as client:
        default = await client.read_work_queue_by_name(DEFAULT_QUEUE, work_pool_name=WORK_POOL)
        await client.update_work_queue(default.id, priority=DEFAULT_PRIORITY)
        try:
            urgent = await client.read_work_queue_by_name(URGENT_QUEUE, work_pool_name=WORK_POOL)
            await client.update_work_queue(urgent.id, priority=URGENT_PRIORITY)
        except ObjectNotFound:
            try:
                await client.create_work_queue(URGENT_QUEUE, work_pool_name=WORK_POOL, priority=URGENT_PRIORITY,
                                               description="Runs that go before the backlog of the default queue.")
            except ObjectAlreadyExists:
                pass
    return [f"work queue {DEFAULT_QUEUE}: priority {DEFAULT_PRIORITY}",
            f"work queue {URGENT_QUEUE}: priority {URGENT_PRIORITY}"]


def deploy_fleet() -> None:
    """`prefect deploy --all` from the fleet's prefect file: pushes the project's code to the object store."""
    subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all",
                    "--prefect-file", str(PREFECT_FILE)], cwd=PROJECT_DIR, check=True)


async def bootstrap(object_store_url: str, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    print(await ensure_work_pool())
    for line in [*await ensure_queues(), *await ensure_storage_blocks(object_store_url), *await ensure_default_blocks(),
                 *await ensure_limits()]:
        print(line)
    notification_blocks = await ensure_notification_blocks(settings)
    for line in await apply_automations(notification_blocks, settings):
        print(line)
    deploy_fleet()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m deployments.fleet.bootstrap OBJECT_STORE_URL")
    asyncio.run(bootstrap(sys.argv[1]))
