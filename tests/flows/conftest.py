"""Fixtures for pipeline runs: the model and enrichment servers named by the environment, as users do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.conftest import REPO_ROOT

SAMPLES = REPO_ROOT / "examples" / "documents"
LONG_SAMPLE = "14-master-services-agreement.txt"
"""The long contract: read in parts it takes a dozen model calls, so the tests of long documents and `make run`'s
test read it and the tests of everything else leave it out."""
SHORT_SAMPLES = {"processed": 16, "rejected": 1}
"""What the samples without the long contract come to: the scanned receipt is rejected."""


def copy_samples(destination: Path) -> Path:
    """A copy of the bundled sample documents without the long contract."""
    return Path(shutil.copytree(SAMPLES, destination, ignore=shutil.ignore_patterns(LONG_SAMPLE)))


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
    """A copy of the bundled sample documents, without the long contract."""
    return copy_samples(tmp_path / "documents")
