"""The offline model: deterministic, extractive heuristics behind the model-client interface.

It exists so every pipeline runs with no key and no network. It is not a language model and never
claims to be: every reply names the model `offline`, entities come from patterns, the summary is
made of the document's own sentences, and the review score measures how much of the document's
vocabulary the summary keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blocks.offline_research import RESEARCH_ANSWERS
from blocks.text_heuristics import estimated_tokens, extract_entities, review, summarize
from domain.errors import RequestRejected
from domain.models.common import ModelReply, OutputT, Review, TokenUsage
from domain.models.documents import EntityList, Summary

if TYPE_CHECKING:
    from domain.models.common import ModelRequest

MODEL_NAME = "offline"


class OfflineModel:
    """Answers extraction, summary and review requests with `blocks/text_heuristics.py` (and the research pipeline's
    answers of `blocks/offline_research.py`); costs nothing."""

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Dispatch on the requested output type; any other request is refused clearly."""
        document = request.material.get("document", "")
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
        return ModelReply[output_type](
            output=output,
            model=MODEL_NAME,
            usage=TokenUsage(
                input_tokens=estimated_tokens(prompt),
                output_tokens=estimated_tokens(output.model_dump_json()),
            ),
        )
