"""Prefect blocks users edit in the UI: the language model, the enrichment API, the pipeline store,
the publish targets, the webhook gateway and the research pipeline's fetch policy.

Register them with `prefect block register -m blocks`.
"""

from blocks.enrichment_api import EnrichmentApi
from blocks.fetch_policy import FetchPolicy
from blocks.language_model import LanguageModel
from blocks.publish_targets import PublishTargets
from blocks.store import PipelineStore
from blocks.webhook_gateway import WebhookGateway

__all__ = ["EnrichmentApi", "FetchPolicy", "LanguageModel", "PipelineStore", "PublishTargets", "WebhookGateway"]
