"""The evaluation gate: a candidate variant's figures on a golden set against live's, metric by metric.

Quality metrics (a score from 0 to 1, higher is better: precision, recall, facts kept, the judge's score) fail when
the candidate is below live by more than `quality_margin` (absolute); the error and repair rates fail when the
candidate is above live by more than `rate_margin`; tokens, cost and latency fail when the candidate needs more than
(1 + `spend_margin`) times live's (latency also more than `latency_floor_seconds` slower a case). The gate passes when no metric fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

RATES = frozenset({"error_rate", "repair_rate"})
"""Metrics where lower is better, compared by absolute difference."""
SPEND = frozenset({"tokens", "cost_usd", "latency_s"})
"""Metrics where lower is better, compared by ratio."""


@dataclass(frozen=True)
class GateMargins:
    """How much worse than live a candidate may be, per kind of metric."""

    quality_margin: float = 0.05
    rate_margin: float = 0.05
    spend_margin: float = 0.25
    latency_floor_seconds: float = 0.5
    """Latency is worse only when it is also this many seconds slower per case: a fast model's noise is no signal."""


@dataclass(frozen=True)
class MetricComparison:
    """One metric: live's figure, the candidate's, and whether the candidate is worse beyond its margin."""

    metric: str
    live: float | None
    candidate: float | None
    worse: bool

    def line(self) -> str:
        """`metric: live 0.82, candidate 0.64 (worse)`."""
        shown = {side: "-" if value is None else f"{value:.4g}" for side, value in
                 (("live", self.live), ("candidate", self.candidate))}
        return f"{self.metric}: live {shown['live']}, candidate {shown['candidate']}" + (" (worse)" if self.worse
                                                                                          else "")


def compare(live: Mapping[str, float | None], candidate: Mapping[str, float | None],
            margins: GateMargins = GateMargins()) -> list[MetricComparison]:
    """Every metric either side has, in live's order, marked worse where the candidate is beyond its margin."""
    metrics = [*live, *(name for name in candidate if name not in live)]
    return [MetricComparison(name, live.get(name), candidate.get(name),
                             _worse(name, live.get(name), candidate.get(name), margins)) for name in metrics]


def _worse(metric: str, live: float | None, candidate: float | None, margins: GateMargins) -> bool:
    if live is None or candidate is None:
        return False
    if metric in RATES:
        return candidate > live + margins.rate_margin
    if metric in SPEND:
        floor = margins.latency_floor_seconds if metric == "latency_s" else 1e-9
        return candidate > live * (1 + margins.spend_margin) and candidate - live > floor
    return candidate < live - margins.quality_margin
