"""A team's new model step, declared once in its own module: its one name reaches the task runs, the cache index
(`agentic cache ls`), the costs (`agentic costs --by step`), its dead letter and the metrics, and the offline model
answers it from the answer registered next to it."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from agentic_kit import PipelineStore
from agentic_kit._operate.cli.app import app
from agentic_kit._operate.metrics import PipelineCollector

CLASSIFY_MODULE = '''
from collections.abc import Mapping

from pydantic import BaseModel

from agentic_kit import PipelineBlocks, model_step, offline_answer, pipeline


class Note(BaseModel):
    text: str


class Classification(BaseModel):
    label: str
    confidence: float


@model_step("classify", instructions="Label the note: invoice, contract or other, with your confidence.",
            output=Classification)
def classify(note: Note) -> dict[str, str]:
    return {"document": note.text}


@offline_answer(Classification)
def classify_offline(material: Mapping[str, str]) -> Classification:
    if "unreadable" in material["document"]:
        raise ValueError("the note cannot be classified")
    return Classification(label="invoice" if "invoice" in material["document"] else "other", confidence=0.9)


@pipeline("classify-notes", item=Note)
async def classify_notes(note: Note, blocks: PipelineBlocks) -> Classification:
    return await classify(note)
'''
NOTES = [{"text": "An invoice for 3 crates."}, {"text": "A lunch menu."}, {"text": "An unreadable scan."}]


def _cli(*arguments: str) -> Any:
    """`agentic …` with --json; its output."""
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_one_declared_step_has_one_name_everywhere(tmp_path: Path) -> None:
    """3 notes, 1 failing at classify: 2 classified, 1 dead letter at classify; run again, 2 from cache; the same
    step name in the cache index, the costs, the dead letter and agentic_model_calls_total, and the items counted
    under their own pipeline in agentic_documents_total."""
    (tmp_path / "team_steps.py").write_text(textwrap.dedent(CLASSIFY_MODULE))
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("team_steps")
        first = await module.classify_notes.run([module.Note(**note) for note in NOTES])
        second = await module.classify_notes.run([module.Note(**note) for note in NOTES])
        state = await module.classify_notes.flow([{"txt": "not a note"}, NOTES[0]], return_state=True)
        mixed = await state.aresult(raise_on_failure=False)
    finally:
        sys.path.remove(str(tmp_path))
    assert (first.count("processed"), first.count("failed"), first.model_calls) == (2, 1, 2)
    assert (second.count("processed"), second.model_calls) == (2, 0)
    assert {o.step for o in first.outcomes if o.status == "failed"} == {"classify"}
    assert [(o.status, o.step) for o in mixed.outcomes] == [("failed", "validate"), ("processed", None)], \
        "an item that is no Note fails alone, at validate"

    indexed = await asyncio.to_thread(_cli, "cache", "ls", "--json")
    assert {entry["step"] for entry in indexed} == {"classify"}, indexed
    costs = await asyncio.to_thread(_cli, "costs", "--by", "step", "--json")
    assert [row["step"] for row in costs["rows"]] == ["classify"], costs
    letters = await asyncio.to_thread(_cli, "dead-letters", "list", "--json")
    assert sorted((letter["pipeline"], letter["step"]) for letter in letters) == [
        ("classify-notes", "classify"), ("classify-notes", "validate")]
    families = {family.name: family for family in PipelineCollector(PipelineStore.from_environment()).collect()}
    calls = {(sample.labels["step"], sample.labels["outcome"]) for sample in families["agentic_model_calls"].samples}
    assert ("classify", "ok") in calls and ("classify", "cached") in calls, calls
    items = {(sample.labels["pipeline"], sample.labels["status"]): sample.value
             for sample in families["agentic_documents"].samples}
    assert items == {("classify-notes", "processed"): 2, ("classify-notes", "failed"): 2}, items
