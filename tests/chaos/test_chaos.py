"""The chaos suite, small: 12 documents under 30 % faults and a SIGKILL; nothing lost, nothing duplicated.

The same code as `make chaos` (100 documents, 5 kills), in-process, against the session's Prefect server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.report import final_line
from chaos.session import run_chaos
from chaos.settings import ChaosSettings
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

DOCUMENTS = 12


def test_faults_and_a_sigkill_lose_and_duplicate_no_document(prefect_server: str, tmp_path: Path) -> None:
    settings = ChaosSettings(documents=DOCUMENTS, kills=1, fault_rate=0.3, seed=1)

    result = run_chaos(settings, prefect_server, tmp_path / "chaos", REPO_ROOT)

    figures = result.figures
    print(final_line(figures))
    assert figures["faults"] > 0
    assert figures["kills"] == figures["resumes"] == 1
    assert figures["final_exit_allowed"], f"the final run ended {figures['final_exit_code']} with no report"
    assert figures["lost"] == 0, figures["problem_documents"]
    assert figures["duplicated"] == 0, figures["problem_documents"]
    assert figures["published"] + figures["dead_letters"] == figures["documents"] == DOCUMENTS
