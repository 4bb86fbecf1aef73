"""A session's scratch folder (store, result storage, step locks, run logs) and the environment of its runs.

Every run of a session gets the same store, result storage and lock folder: that is what a rerun after a SIGKILL
resumes from. The caller's environment is passed on (the Prefect API it chose, its auth), without the settings
that would send a run elsewhere than this session's servers and files: a fallback model block, a cassette, an
enrichment token, a shared budget, a result storage block.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from agentic_kit._operate.chaos.settings import RUN_FIGURES

NOT_PASSED_ON = ("AGENTIC_FALLBACK_MODEL_BLOCK", "AGENTIC_MODEL_CASSETTE", "AGENTIC_MODEL_TOKENS_PER_MINUTE",
                 "AGENTIC_ENRICHMENT_TOKEN", "PREFECT_DEFAULT_RESULT_STORAGE_BLOCK")
"""Settings of the caller's shell that would point a run elsewhere than this session's servers and files."""
NOT_PASSED_ON_PREFIXES = ("AGENTIC_BUDGET_",)
"""Families of settings left out too: a shared budget would refuse calls the session means to make."""


@dataclass(frozen=True)
class Workspace:
    """Where one session keeps everything; fresh for every session, shared by its runs."""

    root: Path

    @property
    def database(self) -> Path:
        """The store's SQLite file."""
        return self.root / "store.db"

    @property
    def database_url(self) -> str:
        """The store's URL."""
        return f"sqlite:///{self.database}"

    @property
    def exports(self) -> Path:
        """The export folder."""
        return self.root / "exports"

    def log(self, run: int, stream: str) -> Path:
        """The stdout or stderr of one run."""
        folder = self.root / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"run-{run}.{stream}.log"

    def environment(self, upstreams: Mapping[str, str], figures: Mapping[str, str] = RUN_FIGURES,
                    not_passed_on: Collection[str] = NOT_PASSED_ON) -> dict[str, str]:
        """The whole environment of a run: the caller's (less not_passed_on), the servers, the figures, the files."""
        inherited = {name: value for name, value in os.environ.items()
                     if name not in not_passed_on and not name.startswith(NOT_PASSED_ON_PREFIXES)}
        return {
            **inherited,
            **upstreams,
            **figures,
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOCAL_STORAGE_PATH": str(self.root / "results"),
            "AGENTIC_DATABASE_URL": self.database_url,
            "AGENTIC_LOCK_URL": f"file:{self.root / 'locks'}",
            "AGENTIC_EXPORT_FOLDER": str(self.exports),
        }
