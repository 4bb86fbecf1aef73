"""A step's cache key is the one Prefect's own hashing gives: computing it faster never re-pays a cached call."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from prefect.cache_policies import TASK_SOURCE
from prefect.utilities.hashing import hash_objects

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.documents import DocumentPart, Entity, EntityType
from agentic_kit._steps.policies import RESULT_FORMAT_VERSION, STEP_SOURCE, answer_shaping, hash_of, instructions_of
from tasks.documents import agents, tools

PART = DocumentPart(document_id="d" * 64, index=0, count=1, text="Amara Okafor met Lukas Brandt in Hamburg.")
MODEL = LanguageModel(provider="offline", model="offline-heuristics")


class Unjsonable:
    """A value JSON cannot write: hashed by pickling it, as hash_objects does."""

    def __init__(self, value: int) -> None:
        self.value = value


@pytest.mark.parametrize("value", [
    {"part": PART, "model": MODEL.cache_identity(), "store": None},
    {"summaries": ["one", "two"], "reference": "x" * 5000},
    {"entities": [Entity(name="Amara Okafor", type=EntityType.PERSON)], "when": datetime(2024, 1, 2, tzinfo=UTC)},
    {"nothing": None, "number": 1.5, "nested": {"b": [1, 2], "a": ("t", 3)}},
    "a step's source text",
    {"odd": Unjsonable(3)},
])
def test_hash_of_is_hash_objects(value: Any) -> None:
    assert hash_of(value) == hash_objects(value, raise_on_failure=True)
    assert hash_of(value, "3", "abc") == hash_objects(value, "3", "abc", raise_on_failure=True)


def test_an_unhashable_input_is_refused_as_before() -> None:
    class Unpicklable:
        def __reduce__(self) -> Any:
            raise TypeError("no")

    step = agents.extract_entities.task
    with pytest.raises(ValueError, match="shapes_answers = False"):
        step.cache_policy.compute_key(SimpleNamespace(task=step), {"part": Unpicklable()}, {})


@pytest.mark.parametrize("step", [agents.extract_entities.task, agents.review_summary.task, tools.enrich_entities.task])
def test_a_step_key_is_prefects_hash_of_its_parts(step: Any) -> None:
    """The key as Prefect's policies (Inputs-like hashing, TASK_SOURCE, the compound) computed it before."""
    context = SimpleNamespace(task=step)
    inputs = {"part": PART, "model": MODEL, "store": PipelineStore.from_environment()}
    shaped = {name: answer_shaping(value) for name, value in inputs.items()}
    instructions = instructions_of(step.cache_policy)
    schema = {agents.extract_entities.task: agents.extract_entities.output_schema,
              agents.review_summary.task: agents.review_summary.output_schema}.get(step)
    parts = [hash_objects(shaped, raise_on_failure=True), TASK_SOURCE.compute_key(context, inputs, {}),
             RESULT_FORMAT_VERSION, *([f"{instructions.version}:{schema}"] if instructions else [])]
    assert STEP_SOURCE.compute_key(context, inputs, {}) == TASK_SOURCE.compute_key(context, inputs, {})
    assert step.cache_policy.compute_key(context, inputs, {}) == hash_objects(*parts, raise_on_failure=True)
