"""What the store keeps of agent runs: each run's transcript and standing, and each approval decision a person took."""

from __future__ import annotations

from sqlmodel import Session

from agentic_kit._blocks.sql import upsert
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import AgentRunRow, ToolApprovalRow


def save_agent_run(store: PipelineStore, row: AgentRunRow) -> None:
    """Write where an agent run stands; writing it again updates it."""
    with Session(store.engine(), expire_on_commit=False) as session:
        upsert(session, row)
        session.commit()


def agent_run(store: PipelineStore, agent: str, job: str) -> AgentRunRow | None:
    """The agent's run on this job, if one was written."""
    with Session(store.engine()) as session:
        return session.get(AgentRunRow, (agent, job))


def approval_decision(store: PipelineStore, approval_key: str) -> ToolApprovalRow | None:
    """The decision already taken on this tool call, if any."""
    with Session(store.engine()) as session:
        return session.get(ToolApprovalRow, approval_key)


def save_approval(store: PipelineStore, row: ToolApprovalRow) -> None:
    """Keep a decision (the first one taken on a call stands); the row stays readable after."""
    with Session(store.engine(), expire_on_commit=False) as session:
        if session.get(ToolApprovalRow, row.approval_key) is None:
            session.add(row)
            session.commit()
