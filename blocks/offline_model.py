"""The offline model: deterministic, extractive heuristics behind the model-client interface.

It exists so every pipeline runs with no key and no network. It is not a language model and never
claims to be: every reply names the model `offline`, entities come from patterns, the summary is
made of the document's own sentences, and the review score measures how much of the document's
vocabulary the summary keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blocks.offline_research import RESEARCH_ANSWERS
from blocks.text_heuristics import extract_entities, review, summarize
from blocks.tokenizers import EstimatedCounter
from domain.errors import RequestRejected
from domain.models.common import ModelReply, OutputT, Review, TokenUsage
from domain.models.documents import EntityList, Summary

if TYPE_CHECKING:
    from domain.models.common import ModelRequest

MODEL_NAME = "offline"
SUBJECT_MATERIAL = ("document", "summaries", "summaries of the document's parts")
"""The material an answer is about, by the names the document agents give it."""


class OfflineModel:
    """Answers extraction, summary and review requests with `blocks/text_heuristics.py` (and the research pipeline's
    answers of `blocks/offline_research.py`); costs nothing."""

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Dispatch on the requested output type; any other request is refused clearly."""
        document = next((request.material[name] for name in SUBJECT_MATERIAL if name in request.material), "")
        output: Any
        if output_type is EntityList:
            output = extract_entities(document)
        elif output_type is Summary:
            output = summarize(document)
        elif output_type is Review:
            output = review(document, request.material.get("summary", ""))
        elif output_type in RESEARCH_ANSWERS:
            output = RESEARCH_ANSWERS[output_type](request.material)
        else:
            raise RequestRejected(f"the offline model cannot answer {output_type.__name__} requests")
        prompt = request.instructions + "".join(request.material.values())
        tokens = EstimatedCounter()
        return ModelReply[output_type](
            output=output,
            model=MODEL_NAME,
            usage=TokenUsage(input_tokens=tokens.count(prompt), output_tokens=tokens.count(output.model_dump_json())),
            finish_reasons=["stop"],
        )
