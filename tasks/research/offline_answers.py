"""The offline model's research answers: deterministic and extractive, like the rest of the offline model.

The plan comes from the question's names and key terms; research notes say plainly that the offline
model knows nothing of its own; the report is made of the fetched sources' own sentences, chosen per
sub-question and cited; the review scores how many of the question's key terms the report covers.
"""

from __future__ import annotations

import json
import re

from agentic_kit import offline_answer
from agentic_kit.models import (
    EntityType,
    PlannedToolCall,
    ResearchNotes,
    ResearchPlan,
    ResearchReview,
    ResearchSynthesis,
)
from agentic_kit.offline import SENTENCE_END, WORD, extract_entities, keywords

PLAN_TERMS = 4
SENTENCES_PER_QUESTION = 2
REVIEW_TERMS = 8
FOLLOW_UPS = 3
FINDINGS_PER_SEARCH = 2
ENRICH_TOOL = "enrich_entity"
OFFLINE_NOTE = "*Written by the offline model: sentences quoted from the sources read, not a language model's synthesis.*"
_NAMED_TYPES = {EntityType.PERSON, EntityType.ORG, EntityType.LOCATION, EntityType.PRODUCT}
_GENERIC = frozenset({"sources", "source", "say", "says", "know", "known", "tell", "did", "does", "what", "about",
                      "much", "many", "agree", "want", "need", "like", "make", "get"})
"""Words of questions and of the offline model's own sub-questions that are no topic."""
_SUB_QUESTION_LINE = re.compile(r"^([\w-]+): (.+)$", re.MULTILINE)


def _terms(text: str, limit: int) -> list[str]:
    """The text's most frequent content words (ties in order of appearance), without question boilerplate."""
    counts = keywords(text)
    for word in _GENERIC:
        counts.pop(word, None)
    return [word for word, _ in counts.most_common(limit)]


def about(term: str) -> str:
    """The sub-question the offline model asks about a term."""
    return f"What do the sources say about {term}?"


def plan(material: dict[str, str]) -> ResearchPlan:
    """Sub-questions: the question itself, then one per name and key term; an enrichment call per name."""
    question = material.get("question", "")
    names = [e.name for e in extract_entities(question).entities if e.type in _NAMED_TYPES]
    in_names = {word.lower() for name in names for word in name.split()}
    terms = [*names, *(t for t in _terms(question, PLAN_TERMS + len(in_names)) if t not in in_names)][:PLAN_TERMS]
    offered = ENRICH_TOOL in material.get("tools", "")
    return ResearchPlan(
        sub_questions=[question, *(about(term) for term in terms)],
        urls=[],
        tool_calls=[PlannedToolCall(tool=ENRICH_TOOL, argument=name) for name in names] if offered else [],
    )


def research(material: dict[str, str]) -> ResearchNotes:
    """The first sentence of each passage the research agent's document search found (the offline model has no
    knowledge of its own); with none, a gap says the sub-question is answered from the sources read."""
    findings = []
    for result in json.loads(material.get("tool results", "[]")):
        try:
            answer = json.loads(result["answer"])
        except ValueError:
            answer = result["answer"]
        hits = answer if isinstance(answer, list) else []
        for hit in hits[:FINDINGS_PER_SEARCH]:
            if isinstance(hit, dict) and hit.get("passage"):
                first = SENTENCE_END.split(str(hit["passage"]))[0].strip()
                findings.append(f"{hit.get('document', 'a sample document')}: {first}")
    sub_question = material.get("question", "").rpartition("Sub-question: ")[2]
    gaps = [] if findings else [
        f"The offline model has no knowledge of its own: '{sub_question}' is answered from the sources read."]
    return ResearchNotes(findings=findings, gaps=gaps)


def _sources(material: dict[str, str]) -> list[tuple[int, list[str]]]:
    """Each numbered source's sentences (the text after its `URL:` line)."""
    found = []
    for name, text in material.items():
        if name.startswith("source-") and name.removeprefix("source-").isdigit():
            body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
            sentences = [" ".join(s.split()) for s in SENTENCE_END.split(body) if s.strip()]
            found.append((int(name.removeprefix("source-")), sentences))
    return found


def synthesize(material: dict[str, str]) -> ResearchSynthesis:
    """Per sub-question, the source sentences sharing most of its key terms, each cited by source number
    (tool results are listed by the report itself)."""
    sources = _sources(material)
    used: set[str] = set()
    lines = [OFFLINE_NOTE, ""]
    for identifier, text in _SUB_QUESTION_LINE.findall(material.get("sub_questions", "")):
        terms = set(_terms(text, REVIEW_TERMS))
        scored = sorted(
            ((len(terms & {w.lower() for w in WORD.findall(s)}), -number, s) for number, ss in sources for s in ss),
            reverse=True,
        )
        chosen = [(-neg, s) for score, neg, s in scored if score and s not in used][:SENTENCES_PER_QUESTION]
        used.update(s for _, s in chosen)
        lines += [f"### {identifier}: {text}", ""]
        lines += [f"- {s} [{n}]" for n, s in chosen] or ["- The sources read say nothing about this."]
        lines.append("")
    return ResearchSynthesis(report="\n".join(lines))


def review(material: dict[str, str]) -> ResearchReview:
    """Score the share of the question's key terms the report covers; ask about the missing ones."""
    wanted = _terms(material.get("question", "") + "\n" + material.get("sub_questions", ""), REVIEW_TERMS)
    covered = keywords(material.get("report", ""))
    missing = [term for term in wanted if term not in covered]
    score = round(1.0 - len(missing) / len(wanted), 2) if wanted else 1.0
    critique = (f"Covers {len(wanted) - len(missing)} of the question's {len(wanted)} key terms"
                + (f"; missing: {', '.join(missing)}." if missing else "."))
    return ResearchReview(score=score, critique=critique,
                          follow_up_questions=[about(term) for term in missing[:FOLLOW_UPS]])


for output_type, answer in ((ResearchPlan, plan), (ResearchNotes, research), (ResearchSynthesis, synthesize),
                             (ResearchReview, review)):
    offline_answer(output_type)(answer)
