"""Prefect blocks users edit in the UI: the language model, the enrichment API, the pipeline store,
the publish targets, the webhook gateway, the research pipeline's fetch policy and each pipeline's model budget.

Register them with `prefect block register -m blocks`.
"""

from blocks.enrichment_api import EnrichmentApi
from blocks.fetch_policy import FetchPolicy
from blocks.language_model import LanguageModel
from blocks.model_budget import ModelBudget
from blocks.publish_targets import PublishTargets
from blocks.store import PipelineStore
from blocks.webhook_gateway import WebhookGateway

__all__ = ["EnrichmentApi", "FetchPolicy", "LanguageModel", "ModelBudget", "PipelineStore", "PublishTargets",
           "WebhookGateway"]
