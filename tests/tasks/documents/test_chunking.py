"""Chunking fits a long document to the model's window, on paragraph and sentence boundaries, with an overlap."""

from __future__ import annotations

import itertools
import re

import pytest

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.tokenizers import EstimatedCounter, token_counter
from agentic_kit._domain.models.documents import Document, EntityList
from tasks.documents.agents import extract_request
from tasks.documents.chunking import OVERLAP_FRACTION, group_texts, material_room, split_document, split_text

COUNTER = EstimatedCounter()


def _paragraphs(count: int, sentences: int = 6) -> list[str]:
    """Paragraphs of numbered sentences, so a test can tell which sentences a part holds."""
    return [" ".join(f"Paragraph {p} sentence {s} says something about clause {p}.{s} of the agreement."
                     for s in range(sentences)) for p in range(count)]


def test_a_text_that_fits_is_one_part_holding_the_whole_text() -> None:
    document = Document.from_text("A short note. It fits.", "note.txt")
    parts = split_document(document, COUNTER, room=1000)
    assert [(p.index, p.count, p.text) for p in parts] == [(0, 1, document.text)]
    assert parts[0].label == document.short_id


def test_parts_fit_the_room_keep_every_sentence_and_break_on_sentence_ends() -> None:
    paragraphs = _paragraphs(60)
    text = "\n\n".join(paragraphs)
    parts = split_text(text, COUNTER, room=400)
    assert len(parts) > 5
    assert all(COUNTER.count(part) <= 400 for part in parts)
    sentences = {s for p in paragraphs for s in re.split(r"(?<=\.)\s+", p)}
    joined = "\n\n".join(parts)
    assert all(s in joined for s in sentences), "no sentence is lost"
    assert all(part.rstrip().endswith(".") for part in parts), "every part ends at a sentence's end"


def test_each_part_after_the_first_repeats_the_end_of_the_one_before() -> None:
    parts = split_text("\n\n".join(_paragraphs(40)), COUNTER, room=600)
    for before, after in itertools.pairwise(parts):
        first_sentence = re.split(r"(?<=\.)\s+", after)[0]
        assert first_sentence in before, "the overlap comes from the previous part"
        assert COUNTER.count(first_sentence) <= 600 * OVERLAP_FRACTION + 20


def test_a_part_ends_at_a_paragraph_end_when_one_is_near() -> None:
    parts = split_text("\n\n".join(_paragraphs(30, sentences=3)), COUNTER, room=500)
    assert sum(1 for part in parts[:-1] if part.endswith("agreement.")) == len(parts) - 1
    starts = [part.split(" sentence ")[0] for part in parts[1:]]
    assert all(start.startswith("Paragraph") for start in starts)


def test_a_sentence_longer_than_a_part_is_cut_between_words() -> None:
    endless = " ".join(f"word{n}" for n in range(3000))
    parts = split_text(endless, COUNTER, room=300)
    assert all(COUNTER.count(part) <= 300 for part in parts)
    assert " ".join(parts).split()[-1] == "word2999"


def test_summaries_are_grouped_in_order_so_each_group_fits() -> None:
    summaries = [f"Summary {n}: " + "facts " * 40 for n in range(20)]
    groups = group_texts(summaries, COUNTER, room=300)
    assert [s for group in groups for s in group] == summaries
    assert all(sum(COUNTER.count(s) + 2 for s in group) <= 300 for group in groups)


def test_the_room_leaves_space_for_instructions_answer_and_a_repair_round() -> None:
    model = LanguageModel(provider="openai-compatible", model="local", context_window=16_384, max_output_tokens=1024)
    room = material_room(model, [(extract_request(""), EntityList)])
    assert 16_384 - 2 * 1024 - 2_000 < room < 16_384 - 2 * 1024
    small = LanguageModel(provider="openai-compatible", model="local", context_window=4096, max_output_tokens=1024)
    with pytest.raises(ValueError, match="raise context_window or lower max_output_tokens"):
        material_room(small.model_copy(update={"max_output_tokens": 1900}), [(extract_request(""), EntityList)])


def test_tiktoken_counts_openai_models_and_the_estimate_counts_the_rest() -> None:
    assert token_counter("auto", "gpt-4").name.startswith("tiktoken:cl100k_base")
    assert token_counter("auto", "llama3.1:8b").name == "estimate"
    text = "The quick brown fox jumps over the lazy dog. " * 50
    assert token_counter("estimate", "x").count(text) >= token_counter("cl100k_base", "x").count(text)
