"""The `agentic` command imports no Prefect until a command has chosen its Prefect API: Prefect reads its settings
(PREFECT_API_URL) once, when first imported, so a command that starts or finds a server afterwards would otherwise
run on a temporary in-process API (tracebacks on exit, no link to the run)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from agentic_kit.testing import EnrichmentServer
from tests.conftest import API_AUTH, API_URL, run_python

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Acme Corp hired Jane Doe in Paris on 3 May 2024."
RUN_LINK = re.compile(r"/runs/flow-run/([0-9a-f-]{36})")

NO_PREFECT_ON_IMPORT = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import agentic_kit._operate.cli.app
loaded = sorted(name for name in sys.modules if name == "prefect" or name.startswith("prefect."))
print(loaded[:5])
raise SystemExit(1 if loaded else 0)
"""

RUN_ON_THE_DEFAULT_SERVER = f"""
import sys
from agentic_kit._operate import local_server
local_server.DEFAULT_API_URL = {API_URL!r}  # the session's server stands in for 127.0.0.1:4200
from agentic_kit._operate.cli.app import main
sys.argv = ["agentic", "run", "--text", {TEXT!r}]
main()
"""
"""`agentic run` as `make run` starts it, with no PREFECT_API_URL: the command finds the server itself."""


def test_importing_the_command_imports_no_prefect() -> None:
    """Importing the `agentic` app, the project's commands included, leaves Prefect unimported."""
    result = subprocess.run([sys.executable, "-c", NO_PREFECT_ON_IMPORT], check=False, cwd=ROOT,
                            env=os.environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"Prefect imported: {result.stdout}{result.stderr[-3000:]}"


def test_a_run_without_prefect_api_url_goes_to_the_server_it_found(enrichment_server: EnrichmentServer) -> None:
    """With PREFECT_API_URL unset, the run is on the server the command found: its link, no traceback."""
    result = run_python("-c", RUN_ON_THE_DEFAULT_SERVER,
                        env={"PREFECT_API_URL": "", "AGENTIC_ENRICHMENT_URL": enrichment_server.url})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    link = RUN_LINK.search(result.stdout)
    assert link, result.stdout[-3000:]

    user, password = API_AUTH.split(":", 1)
    found = httpx.get(f"{API_URL}/flow_runs/{link.group(1)}", auth=(user, password), timeout=10)
    assert found.status_code == 200, f"the server knows no flow run {link.group(1)}: {found.status_code}"
