"""What both peers share: the batch over a folder, the clients, their enrichment task and their retry figures.

A peer is what a team would write instead of this project: no store, so each document's result is appended to a
JSONL file (bench/peer_output.py) as soon as it is done. The peers take the same retry count, backoff and per-call
timeout as our policies (the same AGENTIC_* settings), but the plain Prefect way: every exception is retried, and
the task timeout is the call timeout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import openai
from openai.types.chat import ChatCompletionMessageParam
from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from pydantic import BaseModel

from agentic_kit._blocks.model_clients import render_messages
from agentic_kit._domain.models.common import ModelRequest, content_id
from agentic_kit._domain.models.documents import EntityList, EntityType
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.policies import capped_exponential_backoff
from bench.baseline import MAX_OUTPUT_TOKENS
from bench.peer_output import results_path, written_documents
from flows.document_pipeline import ENRICHABLE_TYPES
from tasks.documents.tools import MAX_ENRICHMENTS_AT_ONCE

T = TypeVar("T", bound=BaseModel)
SETTINGS = Settings()
MODEL_RETRIES: dict[str, Any] = {
    "retries": SETTINGS.llm_retries,
    "retry_delay_seconds": capped_exponential_backoff(SETTINGS.llm_retries, SETTINGS.backoff_base_seconds,
                                                      SETTINGS.backoff_cap_seconds),
    "timeout_seconds": SETTINGS.llm_timeout_seconds,
}
"""Retries, delays and timeout of a peer's model task, from the figures our LLM-call policy uses."""
TOOL_CALL: dict[str, Any] = {
    "retries": SETTINGS.tool_retries,
    "retry_delay_seconds": capped_exponential_backoff(SETTINGS.tool_retries, SETTINGS.backoff_base_seconds,
                                                      SETTINGS.backoff_cap_seconds),
    "timeout_seconds": SETTINGS.tool_timeout_seconds,
    "cache_policy": INPUTS + TASK_SOURCE,
    "persist_result": True,
}
"""A peer's enrichment task as the Prefect docs write it: retried, timed out, cached on its inputs and source."""

@cache
def model_client() -> openai.AsyncOpenAI:
    """The openai client both peers call the model with, its own retries off as in the baseline."""
    if not (SETTINGS.openai_base_url and SETTINGS.openai_api_key):
        raise SystemExit("a peer needs OPENAI_BASE_URL and OPENAI_API_KEY: the model endpoint to call")
    return openai.AsyncOpenAI(base_url=SETTINGS.openai_base_url, api_key=SETTINGS.openai_api_key.get_secret_value(),
                              max_retries=0)


async def ask(request: ModelRequest, output: type[T]) -> T:
    """One structured chat completion."""
    completion = await model_client().chat.completions.parse(
        model=SETTINGS.model, messages=cast(list[ChatCompletionMessageParam], render_messages(request)),
        response_format=output, max_tokens=MAX_OUTPUT_TOKENS,
    )
    parsed = completion.choices[0].message.parsed
    if parsed is None:
        raise ValueError(f"the model gave no {output.__name__}")
    return parsed


@cache
def tool_client() -> httpx.AsyncClient:
    """The httpx client of the enrichment API."""
    if not SETTINGS.enrichment_url:
        raise SystemExit("a peer needs AGENTIC_ENRICHMENT_URL: the enrichment API to call")
    return httpx.AsyncClient(base_url=SETTINGS.enrichment_url)


@task(name="enrich-entity", **TOOL_CALL)
async def enrich_entity(name: str, kind: EntityType) -> dict[str, Any]:
    """One enrichment call for one entity."""
    response = await tool_client().post("/enrich", json={"name": name, "type": kind})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


async def enrich_all(entities: EntityList,
                     enrich: Callable[[str, EntityType], Awaitable[Any]] = enrich_entity) -> int:
    """enrich (by default the enrichment task) once per distinct enrichable entity, started in sorted order (a
    durable peer that numbers its steps replays them by that order), MAX_ENRICHMENTS_AT_ONCE at a time; how many."""
    distinct = sorted({(e.name, e.type) for e in entities.entities if e.type in ENRICHABLE_TYPES})
    limit = asyncio.Semaphore(MAX_ENRICHMENTS_AT_ONCE)

    async def one(name: str, kind: EntityType) -> None:
        async with limit:
            await enrich(name, kind)

    await asyncio.gather(*(one(name, kind) for name, kind in distinct))
    return len(distinct)


def folder_documents(folder: Path) -> list[bytes]:
    """The documents of a folder, in name order."""
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]


def unwritten(raws: list[bytes]) -> list[bytes]:
    """The documents the results file has no line for yet."""
    written = written_documents(SETTINGS.export_folder)
    return [raw for raw in raws if content_id(raw) not in written]


async def process_folder(folder: Path, concurrency: int, process: Callable[[str], Awaitable[dict[str, Any]]],
                         skip_written: bool = False) -> dict[str, Any]:
    """Every document of folder through process, concurrency at once, each result appended as it comes; with
    skip_written, the documents the results file has a line for are left out (how many: already_written)."""
    raws = folder_documents(folder)
    pending = unwritten(raws) if skip_written else raws
    path = results_path(SETTINGS.export_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    limit = asyncio.Semaphore(concurrency)

    async def one(raw: bytes) -> None:
        async with limit:
            result = await process(raw.decode())
        with path.open("a") as results:
            results.write(json.dumps({"document": content_id(raw), **result}) + "\n")

    outcomes = await asyncio.gather(*(one(raw) for raw in pending), return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {"documents": len(raws), "failed": len(failures), "first_failure": failures[0] if failures else None,
            "already_written": len(raws) - len(pending)}


async def timed(batch: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """A batch's figures with its wall time and this process's CPU time in seconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    figures = await batch
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started, **figures}
