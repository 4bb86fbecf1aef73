"""Text heuristics the offline model answers with: entities from patterns, summaries from a text's own sentences,
reviews by kept keywords. Deterministic and extractive; the research answers build on them.
"""

from __future__ import annotations

import re
from collections import Counter

from agentic_kit._domain.models.common import Review
from agentic_kit._domain.models.documents import Entity, EntityList, EntityType, Summary

SUMMARY_SENTENCES = 3


SUMMARY_MAX_CHARS = 600


MAX_ENTITIES = 50


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


_PATTERNS: list[tuple[EntityType, re.Pattern[str]]] = [
    (EntityType.EMAIL, re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (EntityType.MONEY, re.compile(
        r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand|[mk]|bn)\b)?)"
        r"|\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|dollars|euros|pounds)\b")),
    (EntityType.DATE, re.compile(
        rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        rf"|\d{{4}}-\d{{2}}-\d{{2}})\b")),
    (EntityType.ORG, re.compile(
        r"\b(?:[A-Z][\w&'-]*\s+){1,4}(?:Inc|Ltd|LLC|GmbH|Corp|Corporation|AG|plc|Group|Labs|Bank"
        r"|University|Institute|Foundation|Partners|Systems|Technologies|Holdings)\b\.?")),
    (EntityType.PERSON, re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")),
]


_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}\b")


_LOCATIONS = {
    "London", "Paris", "Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne", "Bristol", "Manchester",
    "Edinburgh", "Glasgow", "Cardiff", "Lyon", "Milan", "Barcelona", "Portland", "Oregon", "Madrid", "Lisbon", "Rome", "Vienna", "Zurich", "Geneva",
    "Amsterdam", "Brussels", "Dublin", "Oslo", "Stockholm", "Copenhagen", "Helsinki", "Warsaw",
    "Prague", "New York", "San Francisco", "Boston", "Chicago", "Seattle", "Austin", "Toronto",
    "Tokyo", "Singapore", "Sydney", "Germany", "France", "Spain", "Portugal", "Italy", "Ireland",
    "Canada", "Japan", "Norway", "Sweden", "Denmark", "Finland", "Poland", "Austria", "Switzerland",
    "United States", "United Kingdom", "Netherlands", "Belgium", "Europe", "California", "Texas",
}


_NOT_NAMES = {"The", "This", "That", "These", "Those", "Our", "We", "Dear", "Best", "Regards",
              "Thanks", "Subject", "From", "To", "Date", "Re", "Fwd", "Please", "Hello", "Hi"}


SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)\s+(?=[A-Z0-9\"'])|\n{2,}"
)


WORD = re.compile(r"[a-zA-Z][a-zA-Z'-]{2,}")


_STOPWORDS = set(  # a string of words, split: easier to read and edit than a list of them
    "the and for that with this from have has had was were are not but you your our their they "  # noqa: SIM905
    "will would shall should can could may might been being into onto over under about after before "
    "than then them there these those which while what when where who whom why how all any each "
    "also its it's his her she him per via such other more most some only very just upon".split()
)


def extract_entities(text: str) -> EntityList:
    """Typed entities found by patterns and a small gazetteer, in order of first appearance."""
    found: dict[str, tuple[int, Entity]] = {}

    def add(name: str, kind: EntityType, position: int) -> None:
        name = " ".join(name.split()).strip(".,;: ")
        if name and name.lower() not in found:
            found[name.lower()] = (position, Entity(name=name[:200], type=kind))

    claimed: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            add(match.group(), kind, match.start())
            claimed.append(match.span())
    for match in _CAPITALISED_RUN.finditer(text):
        start, end = match.span()
        words = match.group().split()
        if any(s <= start < e or s < end <= e for s, e in claimed) or words[0] in _NOT_NAMES:
            continue
        kind = EntityType.LOCATION if match.group() in _LOCATIONS else EntityType.PERSON
        add(match.group(), kind, start)
    for place in _LOCATIONS:
        for match in re.finditer(rf"\b{re.escape(place)}\b", text):
            add(place, EntityType.LOCATION, match.start())
    ordered = sorted(found.values(), key=lambda pair: pair[0])
    return EntityList(entities=[entity for _, entity in ordered[:MAX_ENTITIES]])


def keywords(text: str) -> Counter[str]:
    """Content-word frequencies of a text."""
    return Counter(w.lower() for w in WORD.findall(text) if w.lower() not in _STOPWORDS)


def summarize(text: str) -> Summary:
    """The document's most representative sentences, in their original order."""
    sentences = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
    weights = keywords(text)
    scored = sorted(
        range(len(sentences)),
        key=lambda i: -sum(weights[w.lower()] for w in WORD.findall(sentences[i]))
        / (1 + len(sentences[i].split()) ** 0.5),
    )
    chosen = sorted(scored[:SUMMARY_SENTENCES])
    summary = " ".join(" ".join(sentences[i].split()) for i in chosen) or " ".join(text.split())
    return Summary(summary=summary[:SUMMARY_MAX_CHARS])


def review(text: str, summary: str) -> Review:
    """Score a summary by how many of the document's top keywords it keeps, and name the missing ones."""
    top = [word for word, _ in keywords(text).most_common(8)]
    kept = keywords(summary)
    missing = [word for word in top if word not in kept]
    score = round(1.0 - len(missing) / len(top), 2) if top else 1.0
    critique = (f"Keeps {len(top) - len(missing)} of the document's {len(top)} top keywords"
                + (f"; missing: {', '.join(missing)}." if missing else "."))
    return Review(score=score, critique=critique)
