"""Prefect blocks users edit in the UI: the language model, the enrichment API, the pipeline store
and the webhook gateway.

Register them with `prefect block register -m blocks`.
"""

from blocks.enrichment_api import EnrichmentApi
from blocks.language_model import LanguageModel
from blocks.store import PipelineStore
from blocks.webhook_gateway import WebhookGateway

__all__ = ["EnrichmentApi", "LanguageModel", "PipelineStore", "WebhookGateway"]
