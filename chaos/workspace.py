"""A session's scratch folder: the kit's (store, result storage, exports, locks, run logs) and the documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentic_kit._operate.chaos.workspace import NOT_PASSED_ON, Workspace
from chaos.settings import PIPELINE_FIGURES

INHERITED_BUT_UNWANTED = (*NOT_PASSED_ON, "AGENTIC_PUBLISH_WEBHOOK_TOKEN", "AGENTIC_NOTIFY_TOKEN", "AGENTIC_NOTIFY_URL")
"""Settings of the caller's shell that would point a run elsewhere than this session's servers and files: the
kit's, and the publish webhook's and notifications' (the session's receiver takes the notifications)."""


@dataclass(frozen=True)
class DocumentWorkspace(Workspace):
    """Where one session keeps everything; fresh for every session, shared by its runs (that is the resume)."""

    @property
    def documents(self) -> Path:
        """The folder of input documents."""
        return self.root / "documents"

    def pipeline_environment(self, api_url: str, upstreams: dict[str, str]) -> dict[str, str]:
        """The whole environment of a pipeline run: the kit's, with this session's Prefect API and ingest root."""
        return {
            **self.environment(upstreams, PIPELINE_FIGURES, INHERITED_BUT_UNWANTED),
            "PREFECT_API_URL": api_url,
            "AGENTIC_INGEST_ROOTS": str(self.root),
        }
