"""Fitting documents to the model's window: a text whose prompt would not fit is split into parts that do.

A part's room is what the window leaves after the step's instructions and output schema, the answer
(max_output_tokens), one repair round (the invalid answer sent back with the error) and a safety margin for
counting differences between our tokenizer and the provider's. Parts break at paragraph ends where one is near,
else at sentence ends, and only a sentence longer than a whole part is cut between words. Each part after the
first repeats the last sentences of the one before (about OVERLAP_FRACTION of a part), so an entity or a fact on
the boundary is read whole at least once.

A document may take at most max_document_parts parts (AGENTIC_MAX_DOCUMENT_PARTS): one that would take more is
refused before it is split, by an estimate from its length, or while it is split, once one part more is planned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from agentic_kit import InvalidInput, LanguageModel, TokenCounter, prompt_tokens
from agentic_kit.models import Document, DocumentPart, EntityList, ModelRequest, Review, Summary
from tasks.documents.agents import (
    PART_SUMMARIES,
    WHOLE_DOCUMENT,
    combine_request,
    extract_request,
    review_request,
    summarize_request,
)

T = TypeVar("T")

REPAIR_ERROR_TOKENS = 512
"""Room kept for the validation error a repair round sends back."""
SAFETY_FRACTION = 0.05
"""Room kept for counting differences with the provider's tokenizer."""
OVERLAP_FRACTION = 0.05
"""How much of the part before each part repeats."""
PARAGRAPH_BREAK_FILL = 0.75
"""A part ends at a paragraph's end when it is at least this full and the next paragraph does not fit whole."""
MIN_PART_TOKENS = 256
"""A window leaving less than this for the material is a configuration error."""
CHARACTERS_PER_TOKEN = 4
"""A token's length in characters when a document's parts are estimated before splitting: English runs at about
four with OpenAI's encodings and most other text at fewer, so the estimate errs on the side of fewer parts."""

PARAGRAPH = re.compile(r"\n\s*\n")
SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long one), whether it starts a paragraph, and its tokens."""

    text: str
    starts_paragraph: bool
    tokens: int


def material_room(model: LanguageModel, steps: Iterable[tuple[ModelRequest, type[BaseModel]]]) -> int:
    """How many tokens of material fit in one request of every one of these steps (each with empty material)."""
    fixed = max(prompt_tokens(model, request, output_type) for request, output_type in steps)
    window = model.usable_window()
    room = window - fixed - 2 * model.max_output_tokens - REPAIR_ERROR_TOKENS - int(window * SAFETY_FRACTION)
    if room < MIN_PART_TOKENS:
        raise ValueError(
            f"the model's window of {window:,} tokens leaves {max(room, 0):,} for a document beside the "
            f"instructions ({fixed:,}) and twice max_output_tokens ({model.max_output_tokens:,}): raise "
            "context_window or lower max_output_tokens in the Language Model block")
    return room


def part_room(model: LanguageModel) -> int:
    """The tokens of a document part: room in the extract, summary and review requests beside a summary."""
    return material_room(model, [(extract_request(""), EntityList), (summarize_request(""), Summary),
                                 (review_request("", "", WHOLE_DOCUMENT), Review)]) - model.max_output_tokens


def reading_estimate(parts: list[DocumentPart], model: LanguageModel) -> tuple[int, int]:
    """The model calls reading a document in these parts takes and the prompt tokens they send, at least: each part
    extracted and summarised (its text and the steps' instructions), the part summaries combined when there are
    several, and the summary reviewed (against the whole text when there is one part)."""
    counter = model.counter()
    material = sum(counter.count(part.text) for part in parts)
    steps = ((extract_request(""), EntityList), (summarize_request(""), Summary))
    instructions = sum(prompt_tokens(model, request, output_type) for request, output_type in steps)
    several = len(parts) > 1
    return 2 * len(parts) + several + 1, len(parts) * instructions + material * (2 if several else 3)


def summaries_room(model: LanguageModel) -> int:
    """The tokens of summaries combined at once: room in the combine and review requests beside a summary."""
    return material_room(model, [(combine_request([]), Summary),
                                 (review_request("", "", PART_SUMMARIES), Review)]) - model.max_output_tokens


def split_document(document: Document, counter: TokenCounter, room: int,
                   max_parts: int | None = None) -> list[DocumentPart]:
    """The document as parts of at most `room` tokens each (one part when it fits); InvalidInput when it takes more
    than max_parts parts, by the estimate from its length (before anything is split) or while it is split."""
    if max_parts is not None and (estimate := estimated_parts(len(document.text), room)) > max_parts:
        raise InvalidInput(_too_many_parts(document, f"about {estimate:,}", room, max_parts))
    if counter.count(document.text) <= room:
        return [DocumentPart(document_id=document.id, index=0, count=1, text=document.text)]
    texts = split_text(document.text, counter, room, max_parts)
    if max_parts is not None and len(texts) > max_parts:
        raise InvalidInput(_too_many_parts(document, f"more than {max_parts:,}", room, max_parts))
    return [DocumentPart(document_id=document.id, index=i, count=len(texts), text=text)
            for i, text in enumerate(texts)]


def estimated_parts(characters: int, room: int) -> int:
    """About how many parts of `room` tokens a text of this many characters takes, its overlaps included, without
    reading it (CHARACTERS_PER_TOKEN)."""
    return max(1, math.ceil(characters / CHARACTERS_PER_TOKEN / (room * (1 - OVERLAP_FRACTION))))


def _too_many_parts(document: Document, parts: str, room: int, max_parts: int) -> str:
    """Why a document is not read in parts, with its figures and the setting to raise."""
    return (f"{document.source}: {parts} parts of {room:,} tokens at this model's window, over the limit of "
            f"{max_parts:,} parts; raise AGENTIC_MAX_DOCUMENT_PARTS or the flow's max_document_parts to read it, or "
            "use a model with a larger context window")


def split_text(text: str, counter: TokenCounter, room: int, max_parts: int | None = None) -> list[str]:
    """Parts of at most `room` tokens, on paragraph and sentence boundaries, each overlapping the one before;
    with max_parts, planning stops at one part more than that."""
    units = _units(text, counter, room)
    overlap_room = int(room * OVERLAP_FRACTION)
    parts: list[list[_Unit]] = [[]]
    used = 0
    for position, unit in enumerate(units):
        current = parts[-1]
        if current and (used + unit.tokens > room or _paragraph_break(units, position, used, room)):
            if max_parts is not None and len(parts) > max_parts:
                break
            carried = _overlap(current, min(overlap_room, room - unit.tokens))
            parts.append(carried)
            current, used = carried, sum(u.tokens for u in carried)
        current.append(unit)
        used += unit.tokens
    return [_joined(part) for part in parts if part]


def group_texts(texts: list[str], counter: TokenCounter, room: int) -> list[list[str]]:
    """Consecutive texts grouped so each group's joined text fits `room` (a text too long alone is cut)."""
    pieces = [piece for text in texts
              for piece in (split_text(text, counter, room) if counter.count(text) > room else [text])]
    return _packed(pieces, lambda piece: counter.count(piece) + 2, room)


def _packed(items: list[T], tokens: Callable[[T], int], room: int) -> list[list[T]]:
    """Consecutive items in runs whose tokens add up to at most `room` (an item larger than room runs alone)."""
    runs: list[list[T]] = [[]]
    used = 0
    for item in items:
        size = tokens(item)
        if runs[-1] and used + size > room:
            runs.append([])
            used = 0
        runs[-1].append(item)
        used += size
    return runs


def _units(text: str, counter: TokenCounter, room: int) -> list[_Unit]:
    """Every sentence of every paragraph, over-long sentences cut between words to fit `room`."""
    units: list[_Unit] = []
    for paragraph in PARAGRAPH.split(text):
        sentences = [s for s in SENTENCE.split(paragraph.strip()) if s]
        for number, sentence in enumerate(sentences):
            for piece_number, piece in enumerate(_pieces(sentence, counter, room)):
                units.append(_Unit(piece, number == 0 and piece_number == 0, counter.count(piece) + 1))
    return units


def _pieces(sentence: str, counter: TokenCounter, room: int) -> list[str]:
    """The sentence itself, or runs of its words of at most `room` tokens when it is longer than that."""
    if counter.count(sentence) <= room:
        return [sentence]
    return [" ".join(words) for words in _packed(sentence.split(), lambda word: counter.count(word) + 1, room)]


def _paragraph_break(units: list[_Unit], position: int, used: int, room: int) -> bool:
    """Whether to end the part before this unit: it starts a paragraph that will not fit whole, and the part is
    nearly full already."""
    unit = units[position]
    if not unit.starts_paragraph or used < room * PARAGRAPH_BREAK_FILL:
        return False
    paragraph = unit.tokens
    for following in units[position + 1:]:
        if following.starts_paragraph:
            break
        paragraph += following.tokens
    return used + paragraph > room


def _overlap(part: list[_Unit], overlap_room: int) -> list[_Unit]:
    """The last units of a part that fit `overlap_room`, to start the next part with."""
    carried: list[_Unit] = []
    used = 0
    for unit in reversed(part[1:]):
        if used + unit.tokens > overlap_room:
            break
        carried.insert(0, unit)
        used += unit.tokens
    return carried


def _joined(part: list[_Unit]) -> str:
    """A part's text: sentences joined by spaces, paragraphs by a blank line."""
    text = part[0].text
    for unit in part[1:]:
        text += ("\n\n" if unit.starts_paragraph else " ") + unit.text
    return text
