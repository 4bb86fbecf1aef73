"""Peer: the workload through pydantic-ai's Prefect integration, `python -m bench.peer_pydantic_ai FOLDER`.

One pydantic-ai agent per model step (extract, summarize, review), each with its structured output type as
`NativeOutput` (a `response_format` JSON schema, as our pipeline asks for), the same endpoint through pydantic-ai's
OpenAI provider, made durable by the `PrefectDurability` capability: inside the batch flow each model request is a
Prefect task with the other peer's retries, delays and timeout, pydantic-ai's default cache policy (its own inputs,
the task source and the run id) and persisted results. pydantic-ai 2.68 deprecates the `PrefectAgent` wrapper for
this capability; the wrapper also makes every agent run a subflow, which here cost about 1.5 s of a serialised
Prefect subflow a call (bench/README.md). Enrichment is the naive peer's task, one per distinct entity, since no
model answer asks for it. The messages are the baseline's, byte for byte; pydantic-ai builds the rest of the body
itself, which differs in two places: `max_completion_tokens` instead of `max_tokens`, and a `response_format` schema
without pydantic's `title` fields whose description moved to `json_schema.description`. So the bench checks the
number of model requests per step (json_schema name) and the enrichment bodies.
Prints one JSON line: seconds, documents, failed, first_failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow
from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput
from pydantic_ai.durable_exec.prefect import PrefectDurability, TaskConfig
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from agentic_kit._blocks.model_clients import render_messages
from agentic_kit._domain.models.common import ModelRequest, Review
from agentic_kit._domain.models.documents import EntityList, Summary
from bench.baseline import MAX_OUTPUT_TOKENS
from bench.child import run_child
from bench.peer_batch import MODEL_RETRIES, SETTINGS, enrich_all, model_client, process_folder, timed
from tasks.documents.agents import WHOLE_DOCUMENT, extract_request, review_request, summarize_request

T = TypeVar("T", bound=BaseModel)


def durable_agent(name: str, output: type[T], request: ModelRequest) -> Agent[None, T]:
    """An agent answering `output` whose system prompt is the system message of requests like this one."""
    model = OpenAIChatModel(SETTINGS.model, provider=OpenAIProvider(openai_client=model_client()))
    durability = PrefectDurability(model_task_config=TaskConfig(**MODEL_RETRIES))
    return Agent(model, name=name, output_type=NativeOutput(output), system_prompt=system_prompt(request),
                 model_settings={"max_tokens": MAX_OUTPUT_TOKENS}, capabilities=[durability])


def system_prompt(request: ModelRequest) -> str:
    """The system message of a request (its step's instructions)."""
    return render_messages(request)[0]["content"]


def user_prompt(request: ModelRequest) -> str:
    """The user message of a request (its material)."""
    return render_messages(request)[1]["content"]


@dataclass(frozen=True)
class StepAgents:
    """The three model steps, one agent each."""

    extract: Agent[None, EntityList]
    summarize: Agent[None, Summary]
    review: Agent[None, Review]

    @classmethod
    def build(cls) -> StepAgents:
        """The agents, with the steps' instructions as their system prompts."""
        return cls(durable_agent("extract", EntityList, extract_request("")),
                   durable_agent("summarize", Summary, summarize_request("")),
                   durable_agent("review", Review, review_request("", "", WHOLE_DOCUMENT)))

    async def process_document(self, text: str) -> dict[str, Any]:
        """Extract, enrich each entity, summarize, review."""
        entities = (await self.extract.run(user_prompt(extract_request(text)))).output
        enriched = await enrich_all(entities)
        summary = (await self.summarize.run(user_prompt(summarize_request(text)))).output
        review = (await self.review.run(user_prompt(review_request(summary.summary, text, WHOLE_DOCUMENT)))).output
        return {"entities": len(entities.entities), "enriched": enriched, "summary": summary.summary,
                "score": review.score}


@flow(name="peer-pydantic-ai")
async def pydantic_ai_batch(folder: str, concurrency: int) -> dict[str, Any]:
    """Every document of the folder, concurrency at once."""
    return await process_folder(Path(folder), concurrency, StepAgents.build().process_document)


async def run(folder: Path, concurrency: int) -> dict[str, Any]:
    """The flow over folder, timed."""
    return await timed(pydantic_ai_batch(str(folder), concurrency))


if __name__ == "__main__":
    run_child(run, __doc__)
