"""What a chaos session does: how many documents, which faults at what rate, how many kills."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentic_kit._operate.chaos.settings import FAULT_MIX
from agentic_kit.testing import Fault

MIX_KINDS = tuple(FAULT_MIX)
"""The faults a chaos session may inject, the kit's: 429, 500, a timeout, a dropped connection, garbage JSON."""
DEFAULT_MIX = "rate_limit=1,server_error=1,slow=1,drop=1,garbage=1"

PIPELINE_FIGURES = {
    "AGENTIC_BACKOFF_BASE_SECONDS": "0.2",
    "AGENTIC_BACKOFF_CAP_SECONDS": "1",
    "AGENTIC_LLM_TIMEOUT_SECONDS": "2",
    "AGENTIC_TOOL_TIMEOUT_SECONDS": "2",
}
"""Short retry and timeout figures, so a session takes minutes (the policies' names, agentic_kit/_steps/policies.py);
unlike the kit's chaos runs, the document pipeline's keep their own task timeouts."""


def parse_mix(text: str) -> dict[Fault, float]:
    """`rate_limit=1,server_error=2,…` as weights by fault; unknown kinds and negative weights are errors."""
    mix: dict[Fault, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        try:
            kind, value = Fault(name.strip()), float(weight or 1)
        except ValueError:
            raise ValueError(f"--mix: {part!r} is not KIND=WEIGHT with KIND one of "
                             f"{', '.join(MIX_KINDS)}") from None
        if kind not in MIX_KINDS or value < 0:
            raise ValueError(f"--mix: {part!r}: the kinds are {', '.join(MIX_KINDS)}, weights 0 or more")
        mix[kind] = value
    if not any(mix.values()):
        raise ValueError("--mix: at least one fault needs a weight above 0")
    return mix


def mix_text(mix: dict[Fault, float]) -> str:
    """The mix as the command line writes it."""
    return ",".join(f"{kind}={weight:g}" for kind, weight in mix.items())


@dataclass(frozen=True)
class ChaosSettings:
    """A session's shape; every figure has the command line's default."""

    documents: int = 100
    kills: int = 5
    fault_rate: float = 0.30
    mix: dict[Fault, float] = field(default_factory=lambda: parse_mix(DEFAULT_MIX))
    seed: int = 0
    sink_fault_rate: float = 0.0
    """Faults on the notification webhook too (the same mix); 0 leaves the receiver healthy."""
    run_timeout_seconds: float = 1800.0
    """A pipeline run still going after this long fails the session."""

    def __post_init__(self) -> None:
        if self.documents < 1 or self.kills < 0:
            raise ValueError("documents must be 1 or more and kills 0 or more")
        if not 0 <= self.fault_rate <= 1 or not 0 <= self.sink_fault_rate <= 1:
            raise ValueError("fault rates are between 0 and 1")
