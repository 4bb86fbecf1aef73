"""The pipeline under test and its items: found by "module:attribute", items read with the pipeline's item type.

The pipeline is imported from the folder the command runs in (put first on the import path), as Prefect finds a
deployment's flow, so any project built on the kit works without naming it here. Each item is known by the id
the pipeline itself gives it: `Pipeline.run` sends an item through the flow as `model_dump(mode="json")`, the
flow validates that with the item type, and `_one` hashes its `model_dump_json()` with `content_id`. The same
round trip here gives the same id, even for item types whose JSON form differs from what they were built from.
The number of model steps an item takes is only estimated (the model steps the pipeline's module names): it
spreads the kills over the work, nothing is audited against it.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agentic_kit._domain.models.common import content_id
from agentic_kit._operate.chaos.settings import ChaosUsageError
from agentic_kit._steps.model_step import ModelStep
from agentic_kit._steps.pipeline import Pipeline


def project_first_on_path(folder: str | None = None) -> None:
    """Put the project's folder (the working directory) first on the import path."""
    root = folder or os.getcwd()
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)


def load_pipeline(entrypoint: str) -> Pipeline[Any, Any]:
    """The Pipeline an entrypoint "module:attribute" names, imported from the project's folder."""
    module_name, _, attribute = entrypoint.partition(":")
    if not module_name or not attribute:
        raise ChaosUsageError(f"{entrypoint!r} is not module:attribute, e.g. flows.ticket_triage:ticket_triage")
    project_first_on_path()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        raise ChaosUsageError(f"no module {missing.name!r} in {os.getcwd()} (entrypoint {entrypoint})") from None
    found = getattr(module, attribute, None)
    if not isinstance(found, Pipeline):
        kind = "nothing" if found is None else f"a {type(found).__name__}"
        raise ChaosUsageError(f"{entrypoint} is {kind}, not a pipeline made with @pipeline")
    return found


def item_id(pipeline: Pipeline[Any, Any], item: BaseModel) -> str:
    """The id the pipeline gives this item (the same round trip as Pipeline.run and its flow)."""
    as_sent = pipeline.item_type.model_validate(item.model_dump(mode="json"))
    return content_id(as_sent.model_dump_json())


def read_items(pipeline: Pipeline[Any, Any], path: Path) -> list[BaseModel]:
    """The items of a JSON Lines file (blank lines skipped), each validated as the pipeline's item type."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ChaosUsageError(f"--items {path}: {exc.strerror or exc}") from None
    items: list[BaseModel] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(pipeline.item_type.model_validate_json(line))
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise ChaosUsageError(f"--items {path}, line {number}: not a {pipeline.item_type.__name__}: "
                                  f"{problem['msg']} at {'.'.join(map(str, problem['loc'])) or 'the top'}") from None
    if not items:
        raise ChaosUsageError(f"--items {path} holds no item")
    return items


def model_steps_named(pipeline: Pipeline[Any, Any]) -> int:
    """The distinct model steps the pipeline's function can see by name (at least 1): an estimate of an item's
    model calls."""
    steps = {id(value) for value in getattr(pipeline.process, "__globals__", {}).values()
             if isinstance(value, ModelStep)}
    return max(1, len(steps))


@dataclass(frozen=True)
class Target:
    """A pipeline, where it is found, the items file and each item's id (in file order, each once)."""

    pipeline: Pipeline[Any, Any]
    entrypoint: str
    items_file: Path
    item_ids: list[str]
    lines: int
    model_steps_per_item: int

    @property
    def name(self) -> str:
        """The pipeline's name (its flow's, its dead letters')."""
        return self.pipeline.name


def load_target(entrypoint: str, items_file: Path) -> Target:
    """The pipeline an entrypoint names and its items from a JSON Lines file."""
    pipeline = load_pipeline(entrypoint)
    items = read_items(pipeline, items_file)
    ids = list(dict.fromkeys(item_id(pipeline, item) for item in items))
    return Target(pipeline, entrypoint, items_file.resolve(), ids, len(items), model_steps_named(pipeline))
