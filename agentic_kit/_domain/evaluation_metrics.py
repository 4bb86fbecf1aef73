"""Metrics that compare a step's answers with a golden set: extraction precision and recall, the facts a summary
keeps, and plain means. Pure functions over plain values, so any variant of a step is scored the same way.

Names and facts are compared after `normalized_name`: Unicode NFKC, casefolded, whitespace collapsed and the
punctuation around them stripped ("Brightwater Systems Inc." and "brightwater  systems inc" are one name). An
entity matches only the same normalized name, with no partial credit. `extraction_scores` ignores the entity type
(did the extractor find the thing at all); `typed_extraction_scores` also requires the same type. A ratio over
nothing is 1.0: with nothing found nothing was wrong (precision), with nothing expected nothing was missed
(recall). Nothing found where nothing was expected scores 1.0 throughout; otherwise F1 is 0.0 when nothing matched,
so an empty answer where entities were expected (or entities where none were) has F1 0.0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionScores:
    """How found entities compare with the expected ones: precision, recall and their harmonic mean, 0.0 to 1.0."""

    precision: float
    recall: float
    f1: float


def normalized_name(text: str) -> str:
    """The text as names are compared: NFKC, casefolded, whitespace collapsed, surrounding punctuation stripped."""
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    start, end = 0, len(words)
    while start < end and _is_punctuation_or_space(words[start]):
        start += 1
    while end > start and _is_punctuation_or_space(words[end - 1]):
        end -= 1
    return words[start:end]


def _is_punctuation_or_space(character: str) -> bool:
    """Whether a character is punctuation (Unicode category P*) or white space; currency signs are neither."""
    return character.isspace() or unicodedata.category(character).startswith("P")


def extraction_scores(found: Sequence[tuple[str, str]], expected: Sequence[tuple[str, str]]) -> ExtractionScores:
    """Precision, recall and F1 of found (name, type) pairs against expected ones, matched by normalized name only."""
    return _scores({normalized_name(name) for name, _ in found}, {normalized_name(name) for name, _ in expected})


def typed_extraction_scores(found: Sequence[tuple[str, str]],
                            expected: Sequence[tuple[str, str]]) -> ExtractionScores:
    """Precision, recall and F1 of found (name, type) pairs against expected ones, matched by normalized name and
    type both."""
    return _scores({(normalized_name(name), normalized_name(kind)) for name, kind in found},
                   {(normalized_name(name), normalized_name(kind)) for name, kind in expected})


def _scores(found: AbstractSet[Hashable], expected: AbstractSet[Hashable]) -> ExtractionScores:
    """Precision, recall and F1 of a set of found keys against the expected keys (a ratio over nothing is 1.0)."""
    if not found and not expected:
        return ExtractionScores(precision=1.0, recall=1.0, f1=1.0)
    matched = len(found & expected)
    precision = matched / len(found) if found else 1.0
    recall = matched / len(expected) if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if matched else 0.0
    return ExtractionScores(precision=precision, recall=recall, f1=f1)


def mentions(text: str, phrase: str) -> bool:
    """Whether text contains the phrase after normalization, as a whole: not inside a longer word or number."""
    wanted = normalized_name(phrase)
    if not wanted:
        return True
    before = r"(?<!\w)" if _is_word_character(wanted[0]) else ""
    after = r"(?!\w)" if _is_word_character(wanted[-1]) else ""
    return re.search(before + re.escape(wanted) + after, normalized_name(text)) is not None


def _is_word_character(character: str) -> bool:
    """Whether a character is part of a word or number (so a match must not continue past it)."""
    return re.match(r"\w", character) is not None


def facts_kept(summary: str, facts: Sequence[str]) -> float:
    """The share of facts the summary mentions (see `mentions`); 1.0 when there are no facts."""
    if not facts:
        return 1.0
    return sum(mentions(summary, fact) for fact in facts) / len(facts)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean of values, or None when there are none."""
    return math.fsum(values) / len(values) if values else None
