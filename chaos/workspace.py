"""A session's scratch folder: the documents, the store, result storage, exports, locks and run logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chaos.settings import PIPELINE_FIGURES

INHERITED_BUT_UNWANTED = ("AGENTIC_FALLBACK_MODEL_BLOCK", "AGENTIC_ENRICHMENT_TOKEN", "AGENTIC_PUBLISH_WEBHOOK_TOKEN",
                          "AGENTIC_NOTIFY_TOKEN", "AGENTIC_NOTIFY_URL", "PREFECT_DEFAULT_RESULT_STORAGE_BLOCK")
"""Settings of the caller's shell that would point a run elsewhere than this session's servers and files."""


@dataclass(frozen=True)
class Workspace:
    """Where one session keeps everything; fresh for every session, shared by its runs (that is the resume)."""

    root: Path

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def database(self) -> Path:
        return self.root / "store.db"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def log(self, run: int) -> Path:
        """The stdout and stderr of one pipeline run."""
        return self.root / "logs" / f"run-{run}.log"

    def environment(self, api_url: str, upstreams: dict[str, str]) -> dict[str, str]:
        """The whole environment of a pipeline run: the caller's, this session's server, files and figures."""
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if k not in INHERITED_BUT_UNWANTED}
        return {
            **inherited,
            **upstreams,
            **PIPELINE_FIGURES,
            "PREFECT_API_URL": api_url,
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
            "PREFECT_LOCAL_STORAGE_PATH": str(self.root / "results"),
            "AGENTIC_DATABASE_URL": self.database_url,
            "AGENTIC_EXPORT_FOLDER": str(self.exports),
            "AGENTIC_LOCK_URL": f"file:{self.root / 'locks'}",
            "AGENTIC_INGEST_ROOTS": str(self.root),
        }
