"""What a chaos session is (the pipeline, its items, kills, fault rate, seed) and the figures its runs use.

The faults are the five an HTTP upstream really produces, in equal shares: 429 with Retry-After, 500, a slow
answer, a dropped connection and a 200 whose body is not JSON. A slow answer takes longer than the call timeouts,
so it is a timeout to the pipeline. The runs get short backoff and short timeouts so a session takes seconds per
item, not minutes; the retry counts stay the kit's own, since they are what is under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentic_kit.testing import Fault

FAULT_MIX: dict[Fault, float] = {Fault.RATE_LIMIT: 1.0, Fault.SERVER_ERROR: 1.0, Fault.SLOW: 1.0, Fault.DROP: 1.0,
                                 Fault.GARBAGE: 1.0}
"""The faults injected, by weight."""
SLOW_SECONDS = 3.0
"""How long a SLOW fault holds a request: above the call timeouts below, so it is a timeout."""
RUN_FIGURES = {
    "AGENTIC_BACKOFF_BASE_SECONDS": "0.2",
    "AGENTIC_BACKOFF_CAP_SECONDS": "1",
    "AGENTIC_LLM_TIMEOUT_SECONDS": "2",
    "AGENTIC_TOOL_TIMEOUT_SECONDS": "2",
    "AGENTIC_LLM_TASK_TIMEOUT_SECONDS": "60",
    "AGENTIC_TOOL_TASK_TIMEOUT_SECONDS": "60",
}
"""Short retry delays and timeouts for the runs (Settings fields, agentic_kit/_domain/settings.py)."""
MODEL_NAME = "chaos-model"
"""The model name the runs ask the model server for."""
SETTLE_SECONDS = 1.0
"""How long the upstreams are held before a kill: answers already delivered get this long to be saved."""
BREAKER_WAIT_CAP_SECONDS = 60.0
"""The longest wait for open circuit breakers before a run (they stay open for reset_seconds, 30 s by default)."""
DEFAULT_RUN_TIMEOUT_SECONDS = 600.0
"""A run still going after this long ends the session with an error."""


class ChaosUsageError(ValueError):
    """The command line names something that cannot be run: a bad entrypoint, items file or figure."""


@dataclass(frozen=True)
class ChaosSettings:
    """One session: which pipeline, which items, how many kills, what share of requests fail, which seed."""

    entrypoint: str
    items: Path
    kills: int = 2
    fault_rate: float = 0.3
    seed: int = 0
    run_timeout_seconds: float = DEFAULT_RUN_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if self.kills < 0:
            raise ChaosUsageError("--kills must be 0 or more")
        if not 0 <= self.fault_rate <= 1:
            raise ChaosUsageError("--fault-rate is a share of requests, between 0 and 1")
        if self.run_timeout_seconds <= 0:
            raise ChaosUsageError("the run timeout must be above 0 seconds")
