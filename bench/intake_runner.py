"""The project's event-triggered deployment served by `agentic runner`, as the bench measures it.

`python -m bench.intake_runner PREFECT_YAML [--poll SECONDS]` registers the `on-document-received` deployment with
the trigger of the project's prefect.yaml (as `flow.serve` does, with no work pool: nothing else claims its runs),
then serves it in this process with `agentic runner` (agentic_kit/_operate/in_process_runner.py), which prints
`serving …` once it polls.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from uuid import UUID

from agentic_kit._operate.cli.runner import runner
from bench.served_intake import DEPLOYMENT, project_trigger
from flows.document_pipeline import document_pipeline


async def register(prefect_yaml: Path) -> UUID:
    """Create or update the deployment with the project's trigger, as `flow.serve` does; its id."""
    deployment = await document_pipeline.ato_deployment(name=DEPLOYMENT, triggers=[project_trigger(prefect_yaml)])
    deployment_id: UUID = await deployment.aapply()
    return deployment_id


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefect_yaml", type=Path)
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between polls")
    arguments = parser.parse_args()
    asyncio.run(register(arguments.prefect_yaml))
    runner([f"{document_pipeline.name}/{DEPLOYMENT}"], poll=arguments.poll, limit=8, drain=30.0)
