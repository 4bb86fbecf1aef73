"""Peer: the workload as a LangGraph user writes it from the docs, `python -m bench.peer_langgraph FOLDER`.

One `StateGraph` run a document, its state a TypedDict: nodes extract → enrich → summarize → review, each with a
`RetryPolicy` of the other peers' figures (retries + 1 attempts, delays base·2^k up to the cap, no jitter, every
exception retried) and the per-call timeout as an `asyncio.wait_for` in the node. The graph is compiled with the
PostgreSQL checkpointer (`AsyncPostgresSaver` on a psycopg pool, tables made by `.setup()`) on the database at
AGENTIC_PEER_DATABASE_URL, and each document runs as its own thread (thread_id: its content id) with
durability="sync", so every finished node is checkpointed before the next one starts; 16 documents at once. The
model requests are the naive peer's (`ask`: the baseline's bodies, byte for byte); the enrich node calls the
enrichment API once per distinct enrichable entity, MAX_ENRICHMENTS_AT_ONCE at a time, with the naive peer's body
through a plain httpx call, so a retry of that node calls every entity of the document again.

A rerun after a crash (same AGENTIC_PEER_DATABASE_URL and AGENTIC_EXPORT_FOLDER) skips the documents the results
file already has a line for, as a user's script would, and asks each other document's thread where it is: with the
review in its state the line is written from the state (the kill came between the graph's end and the line), with
nodes still to run it resumes from its last checkpoint (`ainvoke(None, …)`: the node the kill interrupted runs
again, finished ones do not), with no checkpoint it starts from the document.
Prints one JSON line: seconds, cpu_seconds, documents (in the folder, skipped ones included), failed, first_failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import RetryPolicy
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from agentic_kit._domain.models.common import Review, content_id
from agentic_kit._domain.models.documents import EntityList, EntityType, Summary
from bench.child import run_child
from bench.peer_batch import SETTINGS, ask, enrich_all, enrich_entity, process_folder, timed
from bench.runs import PEER_DATABASE_VARIABLE
from tasks.documents.agents import WHOLE_DOCUMENT, extract_request, review_request, summarize_request


class DocumentState(TypedDict, total=False):
    """A document's graph state: its text, then each node's answer as plain values the checkpointer stores."""

    text: str
    entities: dict[str, Any]
    enriched: int
    summary: str
    score: float


Graph = CompiledStateGraph[DocumentState, None, DocumentState, DocumentState]


def retry_policy(retries: int) -> RetryPolicy:
    """A node's retries as the other peers' tasks take them: `capped_exponential_backoff` delays, any exception."""
    return RetryPolicy(initial_interval=SETTINGS.backoff_base_seconds, backoff_factor=2.0,
                       max_interval=SETTINGS.backoff_cap_seconds, max_attempts=retries + 1, jitter=False,
                       retry_on=Exception)


async def extract(state: DocumentState) -> DocumentState:
    """The entities of the document."""
    entities = await asyncio.wait_for(ask(extract_request(state["text"]), EntityList), SETTINGS.llm_timeout_seconds)
    return {"entities": entities.model_dump(mode="json")}


async def enrich(state: DocumentState) -> DocumentState:
    """One enrichment call per distinct enrichable entity, MAX_ENRICHMENTS_AT_ONCE at a time; how many."""

    async def one(name: str, kind: EntityType) -> None:
        await asyncio.wait_for(enrich_entity.fn(name, kind), SETTINGS.tool_timeout_seconds)

    return {"enriched": await enrich_all(EntityList.model_validate(state["entities"]), one)}


async def summarize(state: DocumentState) -> DocumentState:
    """A short summary of the document."""
    summary = await asyncio.wait_for(ask(summarize_request(state["text"]), Summary), SETTINGS.llm_timeout_seconds)
    return {"summary": summary.summary}


async def review(state: DocumentState) -> DocumentState:
    """A judge's score of the summary against the document."""
    request = review_request(state["summary"], state["text"], WHOLE_DOCUMENT)
    verdict = await asyncio.wait_for(ask(request, Review), SETTINGS.llm_timeout_seconds)
    return {"score": verdict.score}


def build_graph() -> StateGraph[DocumentState]:
    """extract → enrich → summarize → review, each node with its retry policy."""
    model, tool = retry_policy(SETTINGS.llm_retries), retry_policy(SETTINGS.tool_retries)
    graph = StateGraph(DocumentState)
    graph.add_node("extract", extract, retry_policy=model)
    graph.add_node("enrich", enrich, retry_policy=tool)
    graph.add_node("summarize", summarize, retry_policy=model)
    graph.add_node("review", review, retry_policy=model)
    graph.add_edge(START, "extract")
    graph.add_edge("extract", "enrich")
    graph.add_edge("enrich", "summarize")
    graph.add_edge("summarize", "review")
    graph.add_edge("review", END)
    return graph


@asynccontextmanager
async def checkpointer(url: str, concurrency: int) -> AsyncIterator[AsyncPostgresSaver]:
    """The PostgreSQL checkpointer on a pool of one connection per concurrent graph, its tables set up."""
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        url, min_size=1, max_size=concurrency, open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    async with pool:
        saver = AsyncPostgresSaver(pool)
        await saver.setup()
        yield saver


async def process_document(graph: Graph, text: str) -> dict[str, Any]:
    """The document's thread run to its end: read back when done, resumed when begun, else started."""
    config: RunnableConfig = {"configurable": {"thread_id": content_id(text)}}
    snapshot = await graph.aget_state(config)
    if "score" in snapshot.values:
        values = snapshot.values
    elif snapshot.next:
        values = await graph.ainvoke(None, config, durability="sync")
    else:
        values = await graph.ainvoke({"text": text}, config, durability="sync")
    return {"entities": len(values["entities"]["entities"]), "enriched": values["enriched"],
            "summary": values["summary"], "score": values["score"]}


async def langgraph_batch(folder: Path, concurrency: int) -> dict[str, Any]:
    """Every document of the folder through its checkpointed graph, concurrency at once."""
    url = os.environ.get(PEER_DATABASE_VARIABLE)
    if not url:
        raise SystemExit(f"the LangGraph peer needs {PEER_DATABASE_VARIABLE}: the PostgreSQL database it checkpoints "
                         "its graphs in")
    async with checkpointer(url, concurrency) as saver:
        graph = build_graph().compile(checkpointer=saver)

        async def process(text: str) -> dict[str, Any]:
            return await process_document(graph, text)

        return await process_folder(folder, concurrency, process, skip_written=True)


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """The batch over folder, timed."""
    return await timed(langgraph_batch(folder, concurrency))


if __name__ == "__main__":
    run_child(run, __doc__)
