"""The document pipeline's golden set and how one golden document is scored, for `agentic eval`.

examples/golden/documents.jsonl holds the sample documents with the entities a careful reader extracts and the facts
a summary must keep. A case runs the pipeline's model steps as the pipeline does (extract and summarize each part,
combine a long document's summaries, review the summary) and scores extraction precision and recall, the share of
facts the summary kept, and the judge's score; the evaluation adds errors, repairs, tokens, cost and latency.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from agentic_kit import current_scope, extract_text, extraction_scores, facts_kept
from agentic_kit.models import Document, Entity
from agentic_kit.operate import Evaluation
from tasks.documents.agents import (
    PART_SUMMARIES,
    WHOLE_DOCUMENT,
    combine_summaries,
    extract_entities,
    review_summary,
    summarize,
)
from tasks.documents.chunking import part_room, split_document

GOLDEN_SET = Path(__file__).resolve().parents[2] / "examples" / "golden" / "documents.jsonl"


class GoldenDocument(BaseModel):
    """One golden case: a sample document, the entities it names and the facts its summary must keep."""

    id: str
    document: str
    expected_entities: list[Entity]
    facts: list[str]


def golden_cases(path: Path = GOLDEN_SET) -> list[GoldenDocument]:
    """The golden documents, one a line."""
    return [GoldenDocument.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


async def score_document(case: GoldenDocument) -> dict[str, float]:
    """Run the pipeline's model steps on one golden document (in its item scope) and score what they made."""
    model = current_scope().model
    path = GOLDEN_SET.parents[2] / case.document
    raw = path.read_bytes()
    document = Document.from_extracted(raw, extract_text(raw, path.name), case.document)
    parts = split_document(document, model.counter(), part_room(model))
    found = [entity for part in parts for entity in (await extract_entities(part)).entities]
    summaries = [(await summarize(part)).summary for part in parts]
    if len(parts) == 1:
        summary, reference, kind = summaries[0], document.text, WHOLE_DOCUMENT
    else:
        summary, reference, kind = (await combine_summaries(summaries)).summary, "\n\n".join(summaries), PART_SUMMARIES
    review = await review_summary(summary, reference, kind)
    extraction = extraction_scores([(e.name, e.type) for e in found], [(e.name, e.type) for e in case.expected_entities])
    return {"precision": extraction.precision, "recall": extraction.recall,
            "facts_kept": facts_kept(summary, case.facts), "judge_score": review.score}


golden_documents = Evaluation(name="documents", cases=golden_cases, case_id=lambda case: case.id,
                              score=score_document)
"""`agentic eval`'s default evaluation."""
