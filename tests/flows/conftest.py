"""Fixtures for pipeline runs: the model and enrichment servers named by the environment, as users do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fault_servers import EnrichmentServer, ModelServer
from tests.conftest import REPO_ROOT

SAMPLES = REPO_ROOT / "examples" / "documents"


@pytest.fixture
def served_environment(
    model_server: ModelServer, enrichment_server: EnrichmentServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[ModelServer, EnrichmentServer]:
    """Point the pipeline, through its environment variables, at the test model and enrichment servers."""
    monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("AGENTIC_MODEL", "test-model")
    monkeypatch.setenv("AGENTIC_ENRICHMENT_URL", enrichment_server.url)
    return model_server, enrichment_server


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A copy of the bundled sample documents."""
    return Path(shutil.copytree(SAMPLES, tmp_path / "documents"))
