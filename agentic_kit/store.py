"""The pipeline store: its tables, the publish saga's log, dead letters, the research runs and SQL helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentic_kit._lazy import load_attribute

if TYPE_CHECKING:
    from agentic_kit._blocks.agent_records import agent_run
    from agentic_kit._blocks.agent_tables import AgentRunRow, ToolApprovalRow
    from agentic_kit._blocks.dead_letters import BUDGET_ERROR_TYPE, DeadLetters, item_id
    from agentic_kit._blocks.exchange_log import ExchangeLog
    from agentic_kit._blocks.research_store import (
        budget_spent,
        limits_label,
        refuse_if_stopped,
        release_charge,
        reserve_charge,
        save_research_run,
        settle_charge,
    )
    from agentic_kit._blocks.saga_log import COMPENSATED, PUBLISHED, SagaLog, steps_of
    from agentic_kit._blocks.sql import as_utc, utc_now
    from agentic_kit._blocks.store import PipelineStore
    from agentic_kit._blocks.tables import (
        DEAD_LETTER_STATUSES,
        DISCARDED,
        REPLAYED,
        DeadLetterRow,
        DocumentRow,
        HealthCheckRow,
        ModelExchangeRow,
        PipelineItemRow,
        PublishSagaRow,
        ResearchRunRow,
    )
    from agentic_kit._steps.observe import record_cached_answers

_EXPORTS = {
    "AgentRunRow": "agentic_kit._blocks.agent_tables",
    "BUDGET_ERROR_TYPE": "agentic_kit._blocks.dead_letters",
    "COMPENSATED": "agentic_kit._blocks.saga_log",
    "DEAD_LETTER_STATUSES": "agentic_kit._blocks.tables",
    "DISCARDED": "agentic_kit._blocks.tables",
    "DeadLetterRow": "agentic_kit._blocks.tables",
    "DeadLetters": "agentic_kit._blocks.dead_letters",
    "DocumentRow": "agentic_kit._blocks.tables",
    "ExchangeLog": "agentic_kit._blocks.exchange_log",
    "HealthCheckRow": "agentic_kit._blocks.tables",
    "ModelExchangeRow": "agentic_kit._blocks.tables",
    "PUBLISHED": "agentic_kit._blocks.saga_log",
    "PipelineItemRow": "agentic_kit._blocks.tables",
    "PipelineStore": "agentic_kit._blocks.store",
    "PublishSagaRow": "agentic_kit._blocks.tables",
    "REPLAYED": "agentic_kit._blocks.tables",
    "ResearchRunRow": "agentic_kit._blocks.tables",
    "SagaLog": "agentic_kit._blocks.saga_log",
    "ToolApprovalRow": "agentic_kit._blocks.agent_tables",
    "agent_run": "agentic_kit._blocks.agent_records",
    "as_utc": "agentic_kit._blocks.sql",
    "budget_spent": "agentic_kit._blocks.research_store",
    "item_id": "agentic_kit._blocks.dead_letters",
    "limits_label": "agentic_kit._blocks.research_store",
    "record_cached_answers": "agentic_kit._steps.observe",
    "refuse_if_stopped": "agentic_kit._blocks.research_store",
    "release_charge": "agentic_kit._blocks.research_store",
    "reserve_charge": "agentic_kit._blocks.research_store",
    "save_research_run": "agentic_kit._blocks.research_store",
    "settle_charge": "agentic_kit._blocks.research_store",
    "steps_of": "agentic_kit._blocks.saga_log",
    "utc_now": "agentic_kit._blocks.sql",
}

__all__ = [
    "BUDGET_ERROR_TYPE",
    "COMPENSATED",
    "DEAD_LETTER_STATUSES",
    "DISCARDED",
    "PUBLISHED",
    "REPLAYED",
    "AgentRunRow",
    "DeadLetterRow",
    "DeadLetters",
    "DocumentRow",
    "ExchangeLog",
    "HealthCheckRow",
    "ModelExchangeRow",
    "PipelineItemRow",
    "PipelineStore",
    "PublishSagaRow",
    "ResearchRunRow",
    "SagaLog",
    "ToolApprovalRow",
    "agent_run",
    "as_utc",
    "budget_spent",
    "item_id",
    "limits_label",
    "record_cached_answers",
    "refuse_if_stopped",
    "release_charge",
    "reserve_charge",
    "save_research_run",
    "settle_charge",
    "steps_of",
    "utc_now",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its private module the first time it is used."""
    return load_attribute(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    """The public names."""
    return __all__
