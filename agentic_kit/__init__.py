"""Reliable LLM agent pipelines on Prefect: the kit's public API.

Every public name is importable from here; the modules behind them (leading underscore) are private. Names
load when first used, so importing the kit does not import Prefect before a command has chosen its API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentic_kit._lazy import load_attribute

if TYPE_CHECKING:
    from agentic_kit._agents.agent import Agent, AgentRun, tool_dependency
    from agentic_kit._agents.approvals import ToolApprovals, ToolCallDecision
    from agentic_kit._agents.durability import IDEMPOTENCY_HEADER, idempotency_headers, idempotency_key
    from agentic_kit._agents.guards import AgentLimits
    from agentic_kit._agents.mcp_tools import lookups_over_mcp, mcp_http, mcp_stdio
    from agentic_kit._agents.turn_budget import TurnBudget, TurnCharge
    from agentic_kit._blocks.enrichment_api import EnrichmentApi
    from agentic_kit._blocks.fetch_policy import FetchPolicy, Resolver, system_resolver
    from agentic_kit._blocks.language_model import CASSETTE, LanguageModel
    from agentic_kit._blocks.model_budget import ModelBudget
    from agentic_kit._blocks.model_clients import prompt_tokens
    from agentic_kit._blocks.offline_model import OfflineAnswer, offline_answer
    from agentic_kit._blocks.publish_targets import PUBLISHED, RETRACTED, PublishTargets
    from agentic_kit._blocks.resilience.dependency_limits import SLOT_LEASE_SECONDS, LimitSpec
    from agentic_kit._blocks.resolve import PipelineBlocks, ResearchBlocks, load_or_environment
    from agentic_kit._blocks.store import PipelineStore
    from agentic_kit._blocks.tokenizers import TokenCounter
    from agentic_kit._blocks.webhook_gateway import WebhookGateway
    from agentic_kit._domain.errors import (
        AgentStopped,
        BudgetExhausted,
        CallTimedOut,
        CircuitOpen,
        ConnectionFailed,
        FetchRefused,
        InvalidInput,
        InvalidModelOutput,
        MalformedResponse,
        NotInCassette,
        PermanentError,
        PipelineError,
        RateLimited,
        RequestRejected,
        StepBusy,
        TransientError,
        UnreadableCassette,
        UnrepairableOutput,
        UpstreamUnavailable,
        is_transient,
    )
    from agentic_kit._domain.evaluation_metrics import ExtractionScores, extraction_scores, facts_kept
    from agentic_kit._domain.models.common import Instructions
    from agentic_kit._domain.redaction import redacted_text, redacted_url
    from agentic_kit._domain.settings import PROJECT_EXAMPLES, Settings, current_settings
    from agentic_kit._steps.cache_index import indexed
    from agentic_kit._steps.calls import ask_model, enrich_one
    from agentic_kit._steps.item_scope import ItemScope, at_step, current_scope, item_scope
    from agentic_kit._steps.log_format import document_context
    from agentic_kit._steps.model_step import ModelStep, Prompt, model_step
    from agentic_kit._steps.observe import TOOL, WEB, observed_call, observed_run
    from agentic_kit._steps.pipeline import ItemOutcome, Pipeline, PipelineRunReport, pipeline
    from agentic_kit._steps.pipeline_key import pipeline_key
    from agentic_kit._steps.policies import (
        FETCH_FOR_THIS_RUN,
        LLM_CALL,
        LOCAL_READ,
        PUBLISH,
        PUBLISH_RETRIES,
        PUBLISH_RETRY_DELAY_SECONDS,
        PUBLISH_SAGA,
        STEP_LOCKS,
        TOOL_CALL,
        TaskOptions,
        llm_call_policy,
        tool_call_policy,
        with_instructions,
    )
    from agentic_kit._steps.progress import ProgressArtifact
    from agentic_kit._steps.review_reminders import announce_default, remind_then_escalate
    from agentic_kit._steps.rollout import record_score
    from agentic_kit._steps.safe_open import outside_roots, read_beneath, shown_path
    from agentic_kit._steps.shared_budget import budget_reset_since, ensure_budget_covers
    from agentic_kit._steps.text_extraction import HTML_TYPES, READ_FORMATS, extract_text, html_main_text
    from agentic_kit._steps.tool_step import (
        Dependency,
        ToolStep,
        declared_dependencies,
        declared_limit_specs,
        guarded,
        tool_step,
    )
    from agentic_kit._steps.tracing import document_span
    from agentic_kit._steps.web_fetch import fetch_body

_EXPORTS = {
    "Agent": "agentic_kit._agents.agent",
    "AgentLimits": "agentic_kit._agents.guards",
    "AgentRun": "agentic_kit._agents.agent",
    "AgentStopped": "agentic_kit._domain.errors",
    "BudgetExhausted": "agentic_kit._domain.errors",
    "CASSETTE": "agentic_kit._blocks.language_model",
    "CallTimedOut": "agentic_kit._domain.errors",
    "CircuitOpen": "agentic_kit._domain.errors",
    "ConnectionFailed": "agentic_kit._domain.errors",
    "Dependency": "agentic_kit._steps.tool_step",
    "EnrichmentApi": "agentic_kit._blocks.enrichment_api",
    "FETCH_FOR_THIS_RUN": "agentic_kit._steps.policies",
    "FetchPolicy": "agentic_kit._blocks.fetch_policy",
    "FetchRefused": "agentic_kit._domain.errors",
    "HTML_TYPES": "agentic_kit._steps.text_extraction",
    "IDEMPOTENCY_HEADER": "agentic_kit._agents.durability",
    "Instructions": "agentic_kit._domain.models.common",
    "InvalidInput": "agentic_kit._domain.errors",
    "InvalidModelOutput": "agentic_kit._domain.errors",
    "ItemOutcome": "agentic_kit._steps.pipeline",
    "ItemScope": "agentic_kit._steps.item_scope",
    "LLM_CALL": "agentic_kit._steps.policies",
    "LOCAL_READ": "agentic_kit._steps.policies",
    "LanguageModel": "agentic_kit._blocks.language_model",
    "LimitSpec": "agentic_kit._blocks.resilience.dependency_limits",
    "MalformedResponse": "agentic_kit._domain.errors",
    "ModelBudget": "agentic_kit._blocks.model_budget",
    "ModelStep": "agentic_kit._steps.model_step",
    "NotInCassette": "agentic_kit._domain.errors",
    "OfflineAnswer": "agentic_kit._blocks.offline_model",
    "PROJECT_EXAMPLES": "agentic_kit._domain.settings",
    "PUBLISH": "agentic_kit._steps.policies",
    "PUBLISHED": "agentic_kit._blocks.publish_targets",
    "PUBLISH_RETRIES": "agentic_kit._steps.policies",
    "PUBLISH_RETRY_DELAY_SECONDS": "agentic_kit._steps.policies",
    "PUBLISH_SAGA": "agentic_kit._steps.policies",
    "PermanentError": "agentic_kit._domain.errors",
    "Pipeline": "agentic_kit._steps.pipeline",
    "PipelineBlocks": "agentic_kit._blocks.resolve",
    "PipelineError": "agentic_kit._domain.errors",
    "PipelineRunReport": "agentic_kit._steps.pipeline",
    "PipelineStore": "agentic_kit._blocks.store",
    "ProgressArtifact": "agentic_kit._steps.progress",
    "Prompt": "agentic_kit._steps.model_step",
    "PublishTargets": "agentic_kit._blocks.publish_targets",
    "READ_FORMATS": "agentic_kit._steps.text_extraction",
    "RETRACTED": "agentic_kit._blocks.publish_targets",
    "RateLimited": "agentic_kit._domain.errors",
    "RequestRejected": "agentic_kit._domain.errors",
    "ResearchBlocks": "agentic_kit._blocks.resolve",
    "Resolver": "agentic_kit._blocks.fetch_policy",
    "SLOT_LEASE_SECONDS": "agentic_kit._blocks.resilience.dependency_limits",
    "STEP_LOCKS": "agentic_kit._steps.policies",
    "Settings": "agentic_kit._domain.settings",
    "StepBusy": "agentic_kit._domain.errors",
    "TOOL": "agentic_kit._steps.observe",
    "TOOL_CALL": "agentic_kit._steps.policies",
    "TaskOptions": "agentic_kit._steps.policies",
    "TokenCounter": "agentic_kit._blocks.tokenizers",
    "ToolApprovals": "agentic_kit._agents.approvals",
    "ToolCallDecision": "agentic_kit._agents.approvals",
    "ToolStep": "agentic_kit._steps.tool_step",
    "TransientError": "agentic_kit._domain.errors",
    "TurnBudget": "agentic_kit._agents.turn_budget",
    "TurnCharge": "agentic_kit._agents.turn_budget",
    "UnreadableCassette": "agentic_kit._domain.errors",
    "UnrepairableOutput": "agentic_kit._domain.errors",
    "UpstreamUnavailable": "agentic_kit._domain.errors",
    "WEB": "agentic_kit._steps.observe",
    "WebhookGateway": "agentic_kit._blocks.webhook_gateway",
    "announce_default": "agentic_kit._steps.review_reminders",
    "ask_model": "agentic_kit._steps.calls",
    "at_step": "agentic_kit._steps.item_scope",
    "budget_reset_since": "agentic_kit._steps.shared_budget",
    "current_scope": "agentic_kit._steps.item_scope",
    "current_settings": "agentic_kit._domain.settings",
    "declared_dependencies": "agentic_kit._steps.tool_step",
    "declared_limit_specs": "agentic_kit._steps.tool_step",
    "document_context": "agentic_kit._steps.log_format",
    "document_span": "agentic_kit._steps.tracing",
    "enrich_one": "agentic_kit._steps.calls",
    "ensure_budget_covers": "agentic_kit._steps.shared_budget",
    "extract_text": "agentic_kit._steps.text_extraction",
    "extraction_scores": "agentic_kit._domain.evaluation_metrics",
    "ExtractionScores": "agentic_kit._domain.evaluation_metrics",
    "facts_kept": "agentic_kit._domain.evaluation_metrics",
    "fetch_body": "agentic_kit._steps.web_fetch",
    "guarded": "agentic_kit._steps.tool_step",
    "html_main_text": "agentic_kit._steps.text_extraction",
    "idempotency_headers": "agentic_kit._agents.durability",
    "idempotency_key": "agentic_kit._agents.durability",
    "indexed": "agentic_kit._steps.cache_index",
    "is_transient": "agentic_kit._domain.errors",
    "item_scope": "agentic_kit._steps.item_scope",
    "llm_call_policy": "agentic_kit._steps.policies",
    "load_or_environment": "agentic_kit._blocks.resolve",
    "lookups_over_mcp": "agentic_kit._agents.mcp_tools",
    "mcp_http": "agentic_kit._agents.mcp_tools",
    "mcp_stdio": "agentic_kit._agents.mcp_tools",
    "model_step": "agentic_kit._steps.model_step",
    "observed_call": "agentic_kit._steps.observe",
    "observed_run": "agentic_kit._steps.observe",
    "offline_answer": "agentic_kit._blocks.offline_model",
    "outside_roots": "agentic_kit._steps.safe_open",
    "pipeline": "agentic_kit._steps.pipeline",
    "record_score": "agentic_kit._steps.rollout",
    "pipeline_key": "agentic_kit._steps.pipeline_key",
    "prompt_tokens": "agentic_kit._blocks.model_clients",
    "read_beneath": "agentic_kit._steps.safe_open",
    "redacted_text": "agentic_kit._domain.redaction",
    "redacted_url": "agentic_kit._domain.redaction",
    "remind_then_escalate": "agentic_kit._steps.review_reminders",
    "shown_path": "agentic_kit._steps.safe_open",
    "system_resolver": "agentic_kit._blocks.fetch_policy",
    "tool_call_policy": "agentic_kit._steps.policies",
    "tool_dependency": "agentic_kit._agents.agent",
    "tool_step": "agentic_kit._steps.tool_step",
    "with_instructions": "agentic_kit._steps.policies",
}

__all__ = [
    "CASSETTE",
    "FETCH_FOR_THIS_RUN",
    "HTML_TYPES",
    "IDEMPOTENCY_HEADER",
    "LLM_CALL",
    "LOCAL_READ",
    "PROJECT_EXAMPLES",
    "PUBLISH",
    "PUBLISHED",
    "PUBLISH_RETRIES",
    "PUBLISH_RETRY_DELAY_SECONDS",
    "PUBLISH_SAGA",
    "READ_FORMATS",
    "RETRACTED",
    "SLOT_LEASE_SECONDS",
    "STEP_LOCKS",
    "TOOL",
    "TOOL_CALL",
    "WEB",
    "Agent",
    "AgentLimits",
    "AgentRun",
    "AgentStopped",
    "BudgetExhausted",
    "CallTimedOut",
    "CircuitOpen",
    "ConnectionFailed",
    "Dependency",
    "EnrichmentApi",
    "ExtractionScores",
    "FetchPolicy",
    "FetchRefused",
    "Instructions",
    "InvalidInput",
    "InvalidModelOutput",
    "ItemOutcome",
    "ItemScope",
    "LanguageModel",
    "LimitSpec",
    "MalformedResponse",
    "ModelBudget",
    "ModelStep",
    "NotInCassette",
    "OfflineAnswer",
    "PermanentError",
    "Pipeline",
    "PipelineBlocks",
    "PipelineError",
    "PipelineRunReport",
    "PipelineStore",
    "ProgressArtifact",
    "Prompt",
    "PublishTargets",
    "RateLimited",
    "RequestRejected",
    "ResearchBlocks",
    "Resolver",
    "Settings",
    "StepBusy",
    "TaskOptions",
    "TokenCounter",
    "ToolApprovals",
    "ToolCallDecision",
    "ToolStep",
    "TransientError",
    "TurnBudget",
    "TurnCharge",
    "UnreadableCassette",
    "UnrepairableOutput",
    "UpstreamUnavailable",
    "WebhookGateway",
    "announce_default",
    "ask_model",
    "at_step",
    "budget_reset_since",
    "current_scope",
    "current_settings",
    "declared_dependencies",
    "declared_limit_specs",
    "document_context",
    "document_span",
    "enrich_one",
    "ensure_budget_covers",
    "extract_text",
    "extraction_scores",
    "facts_kept",
    "fetch_body",
    "guarded",
    "html_main_text",
    "idempotency_headers",
    "idempotency_key",
    "indexed",
    "is_transient",
    "item_scope",
    "llm_call_policy",
    "load_or_environment",
    "lookups_over_mcp",
    "mcp_http",
    "mcp_stdio",
    "model_step",
    "observed_call",
    "observed_run",
    "offline_answer",
    "outside_roots",
    "pipeline",
    "pipeline_key",
    "prompt_tokens",
    "read_beneath",
    "record_score",
    "redacted_text",
    "redacted_url",
    "remind_then_escalate",
    "shown_path",
    "system_resolver",
    "tool_call_policy",
    "tool_dependency",
    "tool_step",
    "with_instructions",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its private module the first time it is used."""
    return load_attribute(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    """The public names."""
    return __all__
