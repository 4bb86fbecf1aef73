"""An evaluation: a golden set and how to score one case, run for a step's live variant and for a candidate.

A project declares one next to its pipeline:

    golden_documents = Evaluation(name="documents", cases=load_cases, case_id=lambda case: case.id, score=score_case)

where `score_case` runs the pipeline's steps on one case (inside the item scope the runner opens) and returns its
quality metrics, each from 0 to 1, higher better (precision, recall, facts kept, the judge's score …). The runner
adds what every step shows: the error rate (cases that raised), the repair rate (repair rounds per model call),
tokens, cost and latency per case. `agentic eval` runs it twice, in one flow run per variant with the step forced
to that variant and Prefect's cache refreshed (so both variants are really called), and compares them with the
gate (agentic_kit._domain.evaluation_gate).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from prefect import flow
from prefect.artifacts import acreate_markdown_artifact
from prefect.runtime import flow_run

from agentic_kit._blocks.resolve import PipelineBlocks
from agentic_kit._domain.evaluation_gate import GateMargins, MetricComparison, compare
from agentic_kit._steps.calls import counting_repairs
from agentic_kit._steps.item_scope import item_scope
from agentic_kit._steps.rollout import forced_variants
from agentic_kit._steps.rollout_report import artifact_key

CaseT = TypeVar("CaseT")


@dataclass(frozen=True)
class Evaluation(Generic[CaseT]):
    """A golden set (`cases`) and how to score one case (`score`, run inside the case's item scope)."""

    name: str
    cases: Callable[[], Sequence[CaseT]]
    case_id: Callable[[CaseT], str]
    score: Callable[[CaseT], Awaitable[Mapping[str, float]]]


@dataclass
class VariantFigures:
    """One variant's metrics over the golden set, and the cases it failed."""

    variant: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    failed_cases: list[str] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@flow(name="evaluation", persist_result=False)
async def evaluate_variant(evaluation: Any, step: str, variant: str) -> VariantFigures:
    """Score every case of the golden set with the step on this variant."""
    blocks = await PipelineBlocks.resolve(None, None, None)
    scores: dict[str, list[float]] = {}
    figures, seconds, repairs, calls = VariantFigures(variant=variant), [], 0, 0
    cases = list(evaluation.cases())
    for case in cases:
        case_id = evaluation.case_id(case)
        started = time.monotonic()
        with item_scope(f"eval-{case_id}", blocks.model, blocks.store, blocks.fallback) as scope, \
                forced_variants({step: variant}), counting_repairs() as repaired:
            try:
                for metric, value in (await evaluation.score(case)).items():
                    scores.setdefault(metric, []).append(value)
            except Exception:  # noqa: BLE001 - a failing case is counted in the error rate, never fatal
                figures.failed_cases.append(case_id)
            repairs, calls = repairs + repaired.rounds, calls + scope.model_calls
        seconds.append(time.monotonic() - started)
    usage = blocks.store.usage_totals(str(flow_run.get_id()))
    figures.metrics = {metric: _mean(values) for metric, values in scores.items()}
    figures.metrics.update({
        "error_rate": len(figures.failed_cases) / len(cases) if cases else 0.0,
        "repair_rate": repairs / calls if calls else 0.0,
        "tokens": float(usage.input_tokens + usage.output_tokens),
        "cost_usd": usage.cost_usd,
        "latency_s": _mean(seconds),
    })
    return figures


def comparison_markdown(step: str, live: str, candidate: str, comparisons: list[MetricComparison]) -> str:
    """The comparison as the evaluation artifact's markdown."""
    worse = [c.metric for c in comparisons if c.worse]
    rows = [f"| {c.metric} | {c.live if c.live is not None else '-'} | "
            f"{c.candidate if c.candidate is not None else '-'} | {'worse' if c.worse else ''} |" for c in comparisons]
    verdict = f"**fails** on {', '.join(worse)}" if worse else "**passes**"
    return "\n".join([f"# Evaluation of `{step}`: {candidate} against {live}", "", f"The candidate {verdict}.", "",
                      f"| metric | {live} (live) | {candidate} (candidate) | |", "| --- | --- | --- | --- |", *rows])


@dataclass(frozen=True)
class GateResult:
    """Both variants' figures on the golden set and the comparison, metric by metric."""

    live: VariantFigures
    candidate: VariantFigures
    comparisons: list[MetricComparison]

    @property
    def worse(self) -> list[str]:
        """The metrics where the candidate is worse than live beyond its margin."""
        return [comparison.metric for comparison in self.comparisons if comparison.worse]


@flow(name="evaluation-gate", persist_result=False)
async def evaluation_gate(evaluation: Any, step: str, live: str, candidate: str, margins: GateMargins) -> GateResult:
    """Score the golden set on both variants (a flow run each), compare them, and keep the comparison as the
    `evaluation-<step>` artifact."""
    result = GateResult(live=await evaluate_variant(evaluation, step, live),
                        candidate=await evaluate_variant(evaluation, step, candidate), comparisons=[])
    result.comparisons.extend(compare(result.live.metrics, result.candidate.metrics, margins))
    await acreate_markdown_artifact(markdown=comparison_markdown(step, live, candidate, result.comparisons),
                                    key=artifact_key(step).replace("rollout-", "evaluation-", 1),
                                    description=f"agentic eval of {step}: {candidate} against {live}")
    return result
