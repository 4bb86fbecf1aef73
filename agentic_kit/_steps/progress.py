"""A progress artifact that follows a long run without flooding the API."""

from __future__ import annotations

import time
from uuid import UUID

from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact

UPDATE_EVERY_SECONDS = 1.0


class ProgressArtifact:
    """Percent done shown in the Prefect UI, updated at most once a second and once at the end."""

    def __init__(self, artifact_id: UUID, total: int) -> None:
        self._artifact_id = artifact_id
        self._total = max(total, 1)
        self._done = 0
        self._last_update = 0.0

    @classmethod
    async def start(cls, total: int, description: str) -> ProgressArtifact:
        """Create the artifact at 0 %."""
        artifact_id = await acreate_progress_artifact(progress=0.0, description=description)
        return cls(artifact_id, total)

    async def advance(self) -> None:
        """Count one more item done; tell the UI when a second has passed or all are done."""
        self._done += 1
        now = time.monotonic()
        if self._done >= self._total or now - self._last_update >= UPDATE_EVERY_SECONDS:
            self._last_update = now
            await aupdate_progress_artifact(self._artifact_id, progress=100.0 * self._done / self._total)
