"""Public names loaded on first use (PEP 562): importing `agentic_kit` stays cheap and imports no Prefect."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def load_attribute(module: str, exports: Mapping[str, str], name: str, namespace: dict[str, Any]) -> Any:
    """The public `name` of `module`, imported from the private module `exports` names and kept in `namespace`."""
    if name not in exports:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(exports[name]), name)
    namespace[name] = value
    return value
