"""The blocks a research run works with: the document pipeline's three plus the fetch policy."""

from __future__ import annotations

from pydantic import BaseModel

from blocks.enrichment_api import EnrichmentApi
from blocks.fetch_policy import FetchPolicy
from blocks.language_model import LanguageModel
from blocks.resolve import load_or_environment
from blocks.store import PipelineStore


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
