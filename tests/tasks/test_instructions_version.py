"""Each agent's instructions version is part of its cache key: editing one prompt changes that step's key only."""

from __future__ import annotations

import pytest
from prefect import Task

from agentic_kit._steps.policies import instructions_of
from tasks.documents import agents
from tasks.research import agents as research_agents

AGENT_STEPS: list[Task] = [
    agents.extract_entities.task, agents.summarize.task, agents.combine_summaries.task, agents.review_summary.task,
    research_agents.plan_research, research_agents.synthesize_report,
    research_agents.review_report,
]
SAME_INPUTS = {"document_id": "0" * 64, "text": "Ada Lovelace met Charles Babbage."}


def _keys() -> dict[str, str | None]:
    """Each agent step's cache key for the same inputs."""
    return {step.name: step.cache_policy.compute_key(None, SAME_INPUTS, {}) for step in AGENT_STEPS}


@pytest.mark.parametrize("edited", [agents.SUMMARIZE_INSTRUCTIONS, agents.REVIEW_INSTRUCTIONS,
                                    research_agents.PLAN_INSTRUCTIONS, research_agents.REVIEW_INSTRUCTIONS])
def test_editing_one_prompt_changes_the_key_of_its_step_only(edited: object, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _keys()
    assert len(set(before.values())) == len(AGENT_STEPS), "every step's instructions make its key its own"
    old_version = edited.version  # type: ignore[attr-defined]

    monkeypatch.setattr(edited, "text", edited.text + " Answer in British English.")  # type: ignore[attr-defined]

    after = _keys()
    changed = {name for name in before if before[name] != after[name]}
    owners = {step.name for step in AGENT_STEPS if instructions_of(step.cache_policy) is edited}
    assert len(owners) == 1 and changed == owners
    assert edited.version != old_version and len(edited.version) == 12  # type: ignore[attr-defined]
