"""The identity of everything that shapes a document's outcome: while it stays the same, a document already
published is not processed again (its outcome is read back from the compensation log)."""

from __future__ import annotations

import inspect
from types import ModuleType

from prefect.utilities.hashing import hash_objects


def pipeline_key(*identities: object, code: list[ModuleType]) -> str:
    """A hash of the given identities (models, API, settings) and of the source of the code modules."""
    key = hash_objects(identities, [inspect.getsource(module) for module in code])
    if key is None:
        raise ValueError(f"cannot hash the pipeline identities {identities!r}")
    return key
