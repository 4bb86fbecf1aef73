"""The offline model's answers: register one per output type; the text heuristics behind the built-in ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentic_kit._lazy import load_attribute

if TYPE_CHECKING:
    from agentic_kit._blocks.offline_model import MODEL_NAME, OfflineAnswer, offline_answer
    from agentic_kit._blocks.text_heuristics import SENTENCE_END, WORD, extract_entities, keywords, review, summarize

_EXPORTS = {
    "MODEL_NAME": "agentic_kit._blocks.offline_model",
    "OfflineAnswer": "agentic_kit._blocks.offline_model",
    "SENTENCE_END": "agentic_kit._blocks.text_heuristics",
    "WORD": "agentic_kit._blocks.text_heuristics",
    "extract_entities": "agentic_kit._blocks.text_heuristics",
    "keywords": "agentic_kit._blocks.text_heuristics",
    "offline_answer": "agentic_kit._blocks.offline_model",
    "review": "agentic_kit._blocks.text_heuristics",
    "summarize": "agentic_kit._blocks.text_heuristics",
}

__all__ = [
    "MODEL_NAME",
    "SENTENCE_END",
    "WORD",
    "OfflineAnswer",
    "extract_entities",
    "keywords",
    "offline_answer",
    "review",
    "summarize",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its private module the first time it is used."""
    return load_attribute(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    """The public names."""
    return __all__
