"""The Prefect API is the trust boundary: with PREFECT_API_AUTH_STRING set, the local server asks every client for it,
an unauthenticated call is refused, and `make run`'s program and a worker running a deployment still work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deployments.local_server import running_server
from tests.conftest import REPO_ROOT, SESSION_HOME, free_port, run_python
from tests.support.gateway_process import gateway_process
from tests.support.webhooks import SECRET, signed

AUTH = "agentic:s3cret-pass"
POOL = "auth-pool"
DEPLOY_AND_RUN = f"""
from prefect import flow
from prefect.deployments import run_deployment
pipeline = flow.from_source(source={str(REPO_ROOT)!r}, entrypoint="flows/document_pipeline.py:document_pipeline")
pipeline.deploy(name="auth-check", work_pool_name={POOL!r}, print_next_steps=False)
run = run_deployment("document-pipeline/auth-check", parameters={{"texts": ["Ada Lovelace wrote in London."]}},
                     timeout=150)
print(run.state.name)
"""


@pytest.fixture(scope="module")
def auth_server() -> Iterator[str]:
    """A second local server, started as `make run` starts one, with PREFECT_API_AUTH_STRING set."""
    api_url = f"http://127.0.0.1:{free_port()}/api"
    home = SESSION_HOME / "auth-server"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_API_AUTH_STRING", AUTH)  # sent to the session's server too, which ignores it
        with running_server(api_url, home):
            yield api_url


def _client_env(api_url: str) -> dict[str, str]:
    return {"PREFECT_API_URL": api_url, "PREFECT_SERVER_UI_API_URL": api_url, "PREFECT_API_AUTH_STRING": AUTH}


def test_an_unauthenticated_call_is_refused_and_an_authenticated_one_answered(auth_server: str) -> None:
    assert httpx.post(f"{auth_server}/flows/filter", json={}).status_code == 401
    assert httpx.post(f"{auth_server}/flows/filter", json={}, auth=("agentic", "wrong")).status_code == 401
    assert httpx.post(f"{auth_server}/flows/filter", json={}, auth=tuple(AUTH.split(":"))).status_code == 200


def test_make_runs_program_works_with_auth_on(auth_server: str, isolated_state: Path) -> None:
    result = run_python("-m", "deployments.run_local", env=_client_env(auth_server))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "13 documents: 12 processed, 1 rejected, 0 failed" in result.stdout


def test_a_worker_runs_a_deployment_with_auth_on(auth_server: str, isolated_state: Path) -> None:
    env = _client_env(auth_server)
    created = run_python("-m", "prefect", "work-pool", "create", POOL, "--type", "process", env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL],
                              cwd=REPO_ROOT, env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        result = run_python("-c", DEPLOY_AND_RUN, env=env, timeout=240)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "Completed"


def test_the_gateway_delivers_with_auth_on_and_says_503_without_it(auth_server: str, tmp_path: Path) -> None:
    body = json.dumps({"text": "Ada Lovelace wrote to Charles Babbage.", "source": "auth.txt"}).encode()
    env = {**_client_env(auth_server), "AGENTIC_WEBHOOK_SECRET": SECRET,
           "AGENTIC_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}"}
    answers = []
    for name, gateway_env in (("without-auth", {**env, "PREFECT_API_AUTH_STRING": ""}), ("with-auth", env)):
        with gateway_process(tmp_path / name, gateway_env) as gateway:
            answers.append(httpx.post(f"{gateway.url}/documents", content=body, headers=signed(body), timeout=60))
    assert [answer.status_code for answer in answers] == [503, 202], [answer.text for answer in answers]
