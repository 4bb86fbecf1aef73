"""A generated long document whose pages each name one company, and a model server that extracts them."""

from __future__ import annotations

import random
import re
from typing import Any

from fault_servers import ModelServer
from fault_servers.model_server import message_text
from fault_servers.schema_sample import sample_instance

PAGE_ENTITY = re.compile(r"Ledger-\d{3} Ltd")
FILLER = ("The parties confirm the schedule of deliveries for the quarter and the terms of payment that apply. "
          "Each invoice is due thirty days after receipt and carries the reference of the order it settles. "
          "Late payment accrues interest at two percent above the base rate until the sum is paid in full. "
          "The supplier keeps records of every shipment and makes them available on reasonable notice. ").split(". ")


def page_company(page: int) -> str:
    """The company a page names (pages count from 1)."""
    return f"Ledger-{page:03d} Ltd"


def long_document(pages: int = 300, seed: int = 7) -> str:
    """A document of `pages` pages of about 1,500 characters, page N naming page_company(N) in its first line."""
    rng = random.Random(seed)
    text = []
    for page in range(1, pages + 1):
        sentences = [rng.choice(FILLER).strip().rstrip(".") + "." for _ in range(12)]
        text.append(f"Page {page}. This page records the account of {page_company(page)} with the fund.\n\n"
                    + " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:]))
    return "\n\n".join(text)


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
