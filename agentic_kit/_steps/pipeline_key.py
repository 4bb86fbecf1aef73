"""The identity of everything that shapes a document's outcome: while it stays the same, a document already
published is not processed again (its outcome is read back from the compensation log)."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

from prefect.utilities.hashing import hash_objects

KIT_CODE = ("agentic_kit._steps.calls", "agentic_kit._domain.models.common", "agentic_kit._domain.models.documents",
            "agentic_kit._blocks.model_clients", "agentic_kit._blocks.prompt_layout", "agentic_kit._blocks.offline_model",
            "agentic_kit._blocks.text_heuristics", "agentic_kit._blocks.tokenizers")
"""The kit's modules that shape a model's answer (requests, prompts, clients, the offline model): always in the key."""


def pipeline_key(*identities: object, code: list[ModuleType]) -> str:
    """A hash of the given identities (models, API, settings), of the source of the project's code modules and of
    the kit's modules that shape an answer."""
    modules = [*code, *(importlib.import_module(name) for name in KIT_CODE)]
    key = hash_objects(identities, [inspect.getsource(module) for module in modules])
    if key is None:
        raise ValueError(f"cannot hash the pipeline identities {identities!r}")
    return key
