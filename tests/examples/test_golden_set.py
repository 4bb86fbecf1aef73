"""The golden set of the sample documents (examples/golden/documents.jsonl): well formed, one line per readable text
sample, and every expected entity and fact written as it stands in its document's text (as the pipeline reads it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from agentic_kit import extract_text
from agentic_kit._domain.evaluation_metrics import mentions, normalized_name
from agentic_kit.models import EntityType

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_FILE = ROOT / "examples" / "golden" / "documents.jsonl"
DOCUMENTS_DIR = ROOT / "examples" / "documents"
TEXT_SUFFIXES = {".txt", ".md", ".html"}
"""The samples stored as text (PDF and .docx are binary and not in the golden set)."""
FIELDS = {"id", "document", "expected_entities", "facts"}


def golden_lines() -> list[str]:
    """The golden file's lines."""
    return GOLDEN_FILE.read_text(encoding="utf-8").splitlines()


@cache
def golden_records() -> list[dict[str, Any]]:
    """Every golden record, parsed."""
    return [json.loads(line) for line in golden_lines()]


@cache
def document_text(document: str) -> str:
    """A sample's text as the pipeline reads it (in its format and encoding)."""
    path = ROOT / document
    return extract_text(path.read_bytes(), document).text


def record_ids() -> list[str]:
    """The golden records' ids, for test names."""
    return [record["id"] for record in golden_records()]


def test_every_line_is_a_json_object_with_the_golden_fields() -> None:
    lines = golden_lines()
    assert lines
    for number, line in enumerate(lines, start=1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {number}"
        assert set(record) == FIELDS, f"line {number}"
        assert isinstance(record["id"], str) and record["id"], f"line {number}"
        assert isinstance(record["facts"], list) and all(isinstance(f, str) and f for f in record["facts"])
        for entity in record["expected_entities"]:
            assert set(entity) == {"name", "type"}, f"line {number}: {entity}"
            assert isinstance(entity["name"], str) and entity["name"].strip(), f"line {number}: {entity}"
            assert entity["type"] in set(EntityType), f"line {number}: {entity}"


def test_ids_are_unique_and_name_their_documents() -> None:
    ids = record_ids()
    assert len(ids) == len(set(ids))
    for record in golden_records():
        assert record["document"] == f"examples/documents/{Path(record['document']).name}"
        assert record["id"] == Path(record["document"]).stem


def test_every_text_sample_has_a_golden_line() -> None:
    samples = {f"examples/documents/{path.name}" for path in DOCUMENTS_DIR.iterdir() if path.suffix in TEXT_SUFFIXES}
    assert samples == {record["document"] for record in golden_records()}


@pytest.mark.parametrize("record", golden_records(), ids=record_ids())
def test_entities_and_facts_stand_in_the_document(record: dict[str, Any]) -> None:
    assert (ROOT / record["document"]).is_file()
    text = document_text(record["document"])
    missing_entities = [entity["name"] for entity in record["expected_entities"] if not mentions(text, entity["name"])]
    missing_facts = [fact for fact in record["facts"] if not mentions(text, fact)]
    assert missing_entities == []
    assert missing_facts == []
    assert 2 <= len(record["facts"]) <= 4


@pytest.mark.parametrize("record", golden_records(), ids=record_ids())
def test_each_entity_is_named_once(record: dict[str, Any]) -> None:
    names = [normalized_name(entity["name"]) for entity in record["expected_entities"]]
    assert len(names) == len(set(names)), sorted(name for name in set(names) if names.count(name) > 1)
