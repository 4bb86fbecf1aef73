"""What the store keeps of agent runs: each run's transcript and standing, and each approval decision a person took."""

from __future__ import annotations

from sqlmodel import Session, col, select

from agentic_kit._blocks.agent_tables import AgentRunRow, ToolApprovalRow
from agentic_kit._blocks.sql import upsert
from agentic_kit._blocks.store import PipelineStore


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


def agent_runs(store: PipelineStore, agent: str | None = None, limit: int | None = None) -> list[AgentRunRow]:
    """The agent runs kept (of one agent, if named), the latest first."""
    query = select(AgentRunRow).order_by(col(AgentRunRow.updated_at).desc())
    if agent is not None:
        query = query.where(AgentRunRow.agent == agent)
    with Session(store.engine()) as session:
        return list(session.exec(query.limit(limit)).all())


def approvals_of(store: PipelineStore, agent: str, job: str) -> list[ToolApprovalRow]:
    """The decisions taken on one run's tool calls, in the order they were taken."""
    query = (select(ToolApprovalRow).where(ToolApprovalRow.agent == agent, ToolApprovalRow.job == job)
             .order_by(col(ToolApprovalRow.decided_at)))
    with Session(store.engine()) as session:
        return list(session.exec(query).all())
