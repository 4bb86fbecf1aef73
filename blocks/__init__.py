"""Prefect blocks users edit in the UI: the language model, the enrichment API and the pipeline store.

Register them with `prefect block register -m blocks`.
"""

from blocks.enrichment_api import EnrichmentApi
from blocks.language_model import LanguageModel
from blocks.store import PipelineStore

__all__ = ["EnrichmentApi", "LanguageModel", "PipelineStore"]
