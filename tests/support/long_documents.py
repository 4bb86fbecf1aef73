"""A model server that extracts the page companies of the generated long document (bench/documents.py)."""

from __future__ import annotations

import re
from typing import Any

from agentic_kit.testing import ModelServer
from agentic_kit.testing.model_server import message_text
from agentic_kit.testing.schema_sample import sample_instance
from bench.documents import long_document, page_company

__all__ = ["extracting_responder", "long_document", "long_document_server", "page_company"]

PAGE_ENTITY = re.compile(r"Ledger-\d{3} Ltd")


def extracting_responder(key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Entity answers name the page companies of the request's material; other answers are sampled."""
    text = message_text(next(m for m in messages if m.get("role") == "user"))  # the material, not a repair
    if key == "EntityList":
        names = list(dict.fromkeys(PAGE_ENTITY.findall(text)))[:50]
        return {"entities": [{"name": name, "type": "ORG"} for name in names]}
    return sample_instance(schema or {"type": "object"}, text)


def long_document_server(context_window: int) -> ModelServer:
    """A model server enforcing a context window that extracts the page companies."""
    return ModelServer(responder=extracting_responder, context_window=context_window, prefix_cache_min_tokens=1024)
