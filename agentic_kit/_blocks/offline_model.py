"""The offline model: deterministic, extractive heuristics behind the model-client interface.

It exists so every pipeline runs with no key and no network. It is not a language model and never
claims to be: every reply names the model `offline`, entities come from patterns, the summary is
made of the document's own sentences, and the review score measures how much of the document's
vocabulary the summary keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from agentic_kit._blocks.text_heuristics import extract_entities, review, summarize
from agentic_kit._blocks.tokenizers import EstimatedCounter
from agentic_kit._domain.errors import RequestRejected
from agentic_kit._domain.models.common import ModelReply, OutputT, Review, TokenUsage
from agentic_kit._domain.models.documents import EntityList, Summary

if TYPE_CHECKING:
    from agentic_kit._domain.models.common import ModelRequest

MODEL_NAME = "offline"
SUBJECT_MATERIAL = ("document", "summaries", "summaries of the document's parts")
"""The material an answer is about, by the names the document agents give it."""

AnswerT = TypeVar("AnswerT", bound=BaseModel)
OfflineAnswer = Callable[[Mapping[str, str]], BaseModel]
"""How the offline model answers one output type: from the request's material (its named texts) to an output."""

_ANSWERS: dict[type[BaseModel], OfflineAnswer] = {}


def offline_answer(output_type: type[AnswerT]) -> Callable[[Callable[[Mapping[str, str]], AnswerT]],
                                                          Callable[[Mapping[str, str]], AnswerT]]:
    """Register how the offline model answers requests for output_type; put it next to the step that asks.

    The decorated function gets the request's material and returns an output_type, deterministically."""

    def register(answer: Callable[[Mapping[str, str]], AnswerT]) -> Callable[[Mapping[str, str]], AnswerT]:
        _ANSWERS[output_type] = answer
        return answer

    return register


def registered_answer(output_type: type[BaseModel]) -> OfflineAnswer | None:
    """How the offline model answers output_type, if an answer is registered."""
    return _ANSWERS.get(output_type)


def _subject(material: Mapping[str, str]) -> str:
    """The text an answer is about: the document, or the summaries being combined."""
    return next((material[name] for name in SUBJECT_MATERIAL if name in material), "")


offline_answer(EntityList)(lambda material: extract_entities(_subject(material)))
offline_answer(Summary)(lambda material: summarize(_subject(material)))
offline_answer(Review)(lambda material: review(_subject(material), material.get("summary", "")))


class OfflineModel:
    """Answers every output type registered with `offline_answer` (extraction, summary and review built in, with
    `agentic_kit/_blocks/text_heuristics.py`); costs nothing."""

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """Dispatch on the requested output type; any other request is refused clearly."""
        answer = registered_answer(output_type)
        if answer is None:
            raise RequestRejected(
                f"the offline model cannot answer {output_type.__name__} requests: register an answer with "
                f"@offline_answer({output_type.__name__}) next to the step that asks for it")
        output: Any = answer(request.material)
        prompt = request.instructions + "".join(request.material.values())
        tokens = EstimatedCounter()
        return ModelReply[output_type](  # type: ignore[valid-type]  # pydantic generic parametrized at run time
            output=output,
            model=MODEL_NAME,
            usage=TokenUsage(input_tokens=tokens.count(prompt), output_tokens=tokens.count(output.model_dump_json())),
            finish_reasons=["stop"],
        )
