"""The tool-calling agents' tables: agent_runs (each run's standing and transcript) and tool_approvals (each decision
a person took on a tool call).

`agentic_kit._blocks.store` creates them with the other tables, once per process and database.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from agentic_kit._blocks.sql import UTCDateTime, utc_now


class AgentRunRow(SQLModel, table=True):
    """One agent run on one job: where it stands, what it did, and its transcript (every turn, tool call, tool answer
    and approval decision), written when the run answers or a guard stops it."""

    __tablename__ = "agent_runs"

    agent: str = Field(primary_key=True, max_length=200)
    job: str = Field(primary_key=True, max_length=200, description="what the run works on (an item id)")
    status: str = Field(index=True, description="answered or stopped")
    guard: str | None = Field(default=None, description="the guard that stopped the run, if one did")
    model_turns: int = 0
    tool_calls: int = 0
    approvals: int = Field(default=0, description="approval decisions taken in the run")
    transcript: str = Field(default="[]", description="the conversation as pydantic-ai's JSON messages")
    flow_run_id: str | None = Field(default=None, index=True)
    first_seen: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ToolApprovalRow(SQLModel, table=True):
    """A person's decision on one tool call that needs approval: kept so a run resumed after a crash does not ask
    again, and so the transcript shows who allowed what."""

    __tablename__ = "tool_approvals"

    approval_key: str = Field(primary_key=True, max_length=64,
                              description="hash of agent, job, tool call id, tool and arguments")
    agent: str = Field(index=True, max_length=200)
    job: str = Field(index=True, max_length=200)
    tool: str
    arguments: str = Field(description="the arguments the model asked for, as JSON")
    reason: str = Field(default="", description="what the agent said before asking")
    decision: str = Field(description="approve, edit or reject")
    edited_arguments: str | None = Field(default=None, description="the arguments a person set instead, as JSON")
    message: str = Field(default="", description="the note the model sees on a rejection")
    decided_by: str = Field(default="person", description="person, or default when nobody answered in time")
    flow_run_id: str | None = None
    decided_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
