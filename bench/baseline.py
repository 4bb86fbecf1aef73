"""The physical limit: the pipeline's model and tool calls from plain asyncio, no orchestration.

Same prompts (`render_messages` and the agents' requests), same response formats, same calls per
document (extract, enrich each distinct enrichable entity, summarize, review) and the same concurrency.
A document longer than the model's window is split by the pipeline's own chunking and read part by part, as many
parts at once as documents, the part summaries combined in the same groups.
Run as `python -m bench.baseline FOLDER --concurrency 16` with the pipeline's environment variables;
prints one JSON line: seconds, documents, model_calls, tool_calls.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.model_clients import render_messages
from agentic_kit._domain.models.common import ModelRequest, Review
from agentic_kit._domain.models.documents import Document, DocumentPart, EntityList, Summary
from bench.child import run_child
from flows.document_pipeline import ENRICHABLE_TYPES
from tasks.documents.agents import (
    PART_SUMMARIES,
    WHOLE_DOCUMENT,
    combine_request,
    extract_request,
    review_request,
    summarize_request,
)
from tasks.documents.chunking import group_texts, part_room, split_document, summaries_room
from tasks.documents.tools import MAX_ENRICHMENTS_AT_ONCE

MAX_OUTPUT_TOKENS = LanguageModel().max_output_tokens
T = TypeVar("T", bound=BaseModel)
U = TypeVar("U")


class Baseline:
    """The calls of one batch, counted."""

    def __init__(self, model: openai.AsyncOpenAI, tools: httpx.AsyncClient, block: LanguageModel, width: int) -> None:
        self.model, self.tools, self.model_name, self.block = model, tools, block.model, block
        self.width = width
        self.model_calls = self.tool_calls = 0

    async def ask(self, request: ModelRequest, output: type[T]) -> T:
        """One structured chat completion with the pipeline's exact request body."""
        completion = await self.model.chat.completions.parse(
            model=self.model_name, messages=cast(list[ChatCompletionMessageParam], render_messages(request)),
            response_format=output, max_tokens=MAX_OUTPUT_TOKENS,
        )
        self.model_calls += 1
        parsed = completion.choices[0].message.parsed
        assert parsed is not None
        return parsed

    async def enrich(self, name: str, kind: str) -> None:
        """One enrichment call, its answer read and dropped."""
        response = await self.tools.post("/enrich", json={"name": name, "type": kind})
        response.raise_for_status()
        response.json()
        self.tool_calls += 1

    async def each_part(self, parts: list[DocumentPart], ask: Callable[[DocumentPart], Awaitable[U]]) -> list[U]:
        """One call a part, `width` at once, in the parts' order."""
        limit = asyncio.Semaphore(self.width)

        async def one(part: DocumentPart) -> U:
            async with limit:
                return await ask(part)

        return list(await asyncio.gather(*(one(part) for part in parts)))

    async def document(self, text: str) -> None:
        """Extract, enrich, summarize and review one document, part by part when it is longer than the window."""
        parts = split_document(Document.from_text(text, "bench"), self.block.counter(), part_room(self.block))
        extractions = await self.each_part(parts, lambda part: self.ask(extract_request(part.text), EntityList))
        distinct = {(e.name, e.type) for x in extractions for e in x.entities if e.type in ENRICHABLE_TYPES}
        limit = asyncio.Semaphore(MAX_ENRICHMENTS_AT_ONCE)

        async def enrich(name: str, kind: str) -> None:
            async with limit:
                await self.enrich(name, kind)

        await asyncio.gather(*(enrich(name, kind) for name, kind in distinct))
        summaries = [s.summary for s in await self.each_part(
            parts, lambda part: self.ask(summarize_request(part.text), Summary))]
        if len(parts) == 1:
            await self.ask(review_request(summaries[0], text, WHOLE_DOCUMENT), Review)
            return
        room = summaries_room(self.block)
        while len(groups := group_texts(summaries, self.block.counter(), room)) > 1:
            summaries = [s.summary for s in await asyncio.gather(
                *(self.ask(combine_request(group), Summary) for group in groups))]
        combined = await self.ask(combine_request(groups[0]), Summary)
        await self.ask(review_request(combined.summary, "\n\n".join(groups[0]), PART_SUMMARIES), Review)


async def run(folder: Path, concurrency: int) -> dict[str, float | int]:
    """Process every file of folder, concurrency documents at a time; return the figures."""
    started = time.perf_counter()
    texts = [p.read_text() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
    limit = asyncio.Semaphore(concurrency)
    async with (
        openai.AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"],
                           max_retries=0) as model,
        httpx.AsyncClient(base_url=os.environ["AGENTIC_ENRICHMENT_URL"]) as tools,
    ):
        baseline = Baseline(model, tools, LanguageModel.from_environment(), concurrency)

        async def one(text: str) -> None:
            async with limit:
                await baseline.document(text)

        await asyncio.gather(*(one(text) for text in texts))
    return {"seconds": time.perf_counter() - started, "documents": len(texts),
            "model_calls": baseline.model_calls, "tool_calls": baseline.tool_calls}


if __name__ == "__main__":
    run_child(run, __doc__)
