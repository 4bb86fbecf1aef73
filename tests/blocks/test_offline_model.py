"""The offline model: deterministic, extractive, and labelled as what it is."""

from __future__ import annotations

from agentic_kit._blocks.offline_model import OfflineModel
from agentic_kit._blocks.text_heuristics import extract_entities, review, summarize
from agentic_kit._domain.errors import RequestRejected
from agentic_kit._domain.models.common import ModelRequest, Review
from agentic_kit._domain.models.documents import EntityList, EntityType, Summary

TEXT = (
    "Northwind Traders Ltd agreed on 3 March 2026 to buy Brightwater Systems Inc. for $62 million. "
    "Dr. Amara Okafor, who leads Brightwater in Bristol, said the deal closes in June. "
    "Questions go to press@northwind.example. Lukas Brandt will run the integration from Hamburg."
)


def test_entities_are_typed_by_pattern() -> None:
    found = {(e.name, e.type) for e in extract_entities(TEXT).entities}
    assert ("Northwind Traders Ltd", EntityType.ORG) in found
    assert ("Brightwater Systems Inc", EntityType.ORG) in found
    assert ("3 March 2026", EntityType.DATE) in found
    assert ("$62 million", EntityType.MONEY) in found
    assert ("press@northwind.example", EntityType.EMAIL) in found
    assert ("Lukas Brandt", EntityType.PERSON) in found
    assert ("Hamburg", EntityType.LOCATION) in found


def test_summary_is_made_of_the_documents_own_sentences() -> None:
    summary = summarize(TEXT).summary
    sentences = [s.strip() for s in summary.split(". ") if s.strip()]
    assert sentences and all(s.rstrip(".") in TEXT for s in sentences)


def test_review_scores_keyword_coverage() -> None:
    assert review(TEXT, TEXT).score == 1.0
    poor = review(TEXT, "A deal.")
    assert poor.score < 0.5 and "missing" in poor.critique


async def test_replies_are_deterministic_and_labelled_offline() -> None:
    model = OfflineModel()
    request = ModelRequest(step="summarize", instructions="Summarise.", material={"document": TEXT})
    first = await model.generate(request, Summary)
    second = await model.generate(request, Summary)
    assert first == second
    assert first.model == "offline" and first.usage.cost_usd == 0 and first.usage.input_tokens > 0
    entities = await model.generate(request, EntityList)
    assert entities.model == "offline" and entities.output.entities
    verdict = await model.generate(
        ModelRequest(step="review", instructions="Judge.", material={"document": TEXT, "summary": TEXT}), Review
    )
    assert verdict.output.score == 1.0


async def test_unknown_requests_are_refused_not_faked() -> None:
    from pydantic import BaseModel

    class Plan(BaseModel):
        steps: list[str]

    request = ModelRequest(step="plan", instructions="Plan.", material={"document": TEXT})
    try:
        await OfflineModel().generate(request, Plan)
    except RequestRejected as exc:
        assert "cannot answer Plan" in str(exc)
    else:
        raise AssertionError("the offline model answered a request it cannot do")
