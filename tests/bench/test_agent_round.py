"""The bench's agent round, tiny (3 runs, no faults, no kill): ours, the durable pydantic-ai peer and the plain
pydantic-ai agent send the same model and desk requests and answer every run; a second run of each durable side
makes no call again and refunds nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_kit.testing import EnrichmentServer, ModelServer
from bench.agent_round import TURNS_PER_RUN, agent_round
from bench.runs import Session
from bench.servers import Upstreams
from tests.conftest import REPO_ROOT

RUNS = 3


class QuietSession(Session):
    """A bench session on the test session's Prefect server, whose process it does not watch for idleness."""

    def drain(self) -> None:
        """Start at once."""


@pytest.mark.timeout(600)  # seven child runs, each importing Prefect and pydantic-ai
def test_the_agent_round_sides_send_the_same_requests_and_answer_every_run(
        model_server: ModelServer, enrichment_server: EnrichmentServer, isolated_state: Path) -> None:
    root = isolated_state / "bench"
    root.mkdir()
    session = QuietSession(root, REPO_ROOT, Upstreams(model_server, enrichment_server), server_pid=0)

    figures = agent_round(session, runs=RUNS, width=RUNS, kill=False, fault_rate=0.0)

    assert figures["agent_same_requests"], "a side sent other requests than the plain agent, or missed a run"
    assert model_server.responder is None, "the model server answers as before the round"
    for side in ("agent", "peer_agent"):
        assert figures[f"{side}_fault_lost_runs"] == 0 and figures[f"{side}_fault_rerun_failed"] == 0, side
        assert figures[f"{side}_fault_turns_before_kill"] == RUNS * TURNS_PER_RUN, side
        assert figures[f"{side}_fault_tool_calls_before_kill"] == RUNS * 3, side
        assert figures[f"{side}_fault_repeated_calls"] == 0, side
        assert figures[f"{side}_fault_duplicate_side_effects"] == 0, side
    assert all(len(figures[f"{side}_seconds"]) == 1 for side in ("agent", "peer_agent", "plain_agent"))
