"""The document pipeline served with the `on-document-received` trigger of prefect.yaml, as the project deploys it.

`python -m bench.served_intake PREFECT_YAML` runs `flow.serve` in this process: the trigger (match, expect,
parameters) is read from the project's prefect.yaml, so the bench measures the trigger users deploy. The flow is
served from its entrypoint, as prefect.yaml deploys it, so each run starts as a worker starts it
(`python -m prefect.engine` loading the entrypoint). Served as an object instead, Prefect hands the flow to a
spawned process by pickle, and its parameters fail validation there (`Decision` is not defined: the module's
annotations are strings). The runner polls for scheduled runs every PREFECT_RUNNER_POLL_FREQUENCY seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from prefect import flow
from prefect.events import DeploymentEventTrigger

DEPLOYMENT = "on-document-received"
ENTRYPOINT = "flows/document_pipeline.py:document_pipeline"


def project_trigger(path: Path, name: str = DEPLOYMENT) -> DeploymentEventTrigger:
    """The event trigger the prefect.yaml at path gives the deployment called name."""
    deployments: list[dict[str, Any]] = yaml.safe_load(path.read_text())["deployments"]
    deployment = next(entry for entry in deployments if entry["name"] == name)
    trigger = {key: value for key, value in deployment["triggers"][0].items() if key != "type"}
    return DeploymentEventTrigger(**trigger)


if __name__ == "__main__":
    served = flow.from_source(source=str(Path.cwd()), entrypoint=ENTRYPOINT)
    served.serve(name=DEPLOYMENT, triggers=[project_trigger(Path(sys.argv[1]))], print_starting_message=False)
