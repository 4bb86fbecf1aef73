"""Choose the blocks a run uses: a saved block by name, or one built from the environment; the bundles of
blocks the document and research pipelines work with."""

from __future__ import annotations

from typing import TypeVar

from prefect.blocks.core import Block
from pydantic import BaseModel

from agentic_kit._blocks.enrichment_api import EnrichmentApi
from agentic_kit._blocks.fetch_policy import FetchPolicy
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.publish_targets import PublishTargets
from agentic_kit._blocks.store import PipelineStore

BlockT = TypeVar("BlockT", bound=Block)


async def load_or_environment(block_type: type[BlockT], name: str | None) -> BlockT:
    """The saved block called name, or, when no name is given, the block the environment describes."""
    if name:
        return await block_type.aload(name)
    return block_type.from_environment()  # type: ignore[attr-defined]


class PipelineBlocks(BaseModel):
    """The blocks a pipeline run works with: its model (and the model's fallback), enrichment API, store
    and publish targets."""

    model: LanguageModel
    enrichment: EnrichmentApi
    store: PipelineStore
    targets: PublishTargets
    fallback: LanguageModel | None = None

    @classmethod
    async def resolve(cls, model: str | None, enrichment: str | None, store: str | None,
                      targets: str | None = None) -> PipelineBlocks:
        """Load each block by name, or from the environment where no name is given."""
        language_model = await load_or_environment(LanguageModel, model)
        return cls(
            model=language_model,
            enrichment=await load_or_environment(EnrichmentApi, enrichment),
            store=await load_or_environment(PipelineStore, store),
            targets=await load_or_environment(PublishTargets, targets),
            fallback=await LanguageModel.aload(language_model.fallback_block) if language_model.fallback_block else None,
        )


class ResearchBlocks(BaseModel):
    """The model, the enrichment API (the tools' backend), the store and the fetch policy of one run."""

    model: LanguageModel
    enrichment: EnrichmentApi
    store: PipelineStore
    fetch: FetchPolicy

    @classmethod
    async def resolve(cls, model: str | None, enrichment: str | None, store: str | None,
                      fetch: str | None) -> ResearchBlocks:
        """Load each block by name, or from the environment where no name is given."""
        return cls(
            model=await load_or_environment(LanguageModel, model),
            enrichment=await load_or_environment(EnrichmentApi, enrichment),
            store=await load_or_environment(PipelineStore, store),
            fetch=await load_or_environment(FetchPolicy, fetch),
        )
