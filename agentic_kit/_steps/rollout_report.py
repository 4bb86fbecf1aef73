"""Where a step's rollout stands, side by side, as plain rows and as the markdown artifact the Prefect UI shows.

The artifact's key is `rollout-<step>`: each change (a canary started, promoted, rolled back) adds a version, so the
UI's Artifacts page keeps the history of the step's variants.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from prefect.artifacts import acreate_markdown_artifact

from agentic_kit._blocks.rollout_records import VariantFigures, live_variant, rollouts, variant_figures
from agentic_kit._blocks.rollout_tables import RolloutRow
from agentic_kit._blocks.store import PipelineStore

logger = logging.getLogger(__name__)

FIGURES = ("items", "error rate", "repairs", "low scores", "mean score", "cost (USD)", "mean latency (ms)")
"""The rows `agentic rollout status` and the artifact show for each variant."""


@dataclass(frozen=True)
class RolloutStatus:
    """A step's live variant, its latest rollout (if any) and each variant's figures in it."""

    step: str
    live: str
    rollout: RolloutRow | None
    figures: dict[str, VariantFigures]

    def figure_rows(self) -> list[tuple[str, str, str]]:
        """(figure, live's, candidate's) for each of FIGURES."""
        if self.rollout is None:
            return []
        live, candidate = self.figures.get(self.rollout.live), self.figures.get(self.rollout.candidate)
        return [(name, _figure(live, name), _figure(candidate, name)) for name in FIGURES]


def rollout_status(store: PipelineStore, step: str) -> RolloutStatus:
    """Where the step's rollout stands now."""
    latest = next(iter(rollouts(store, step, limit=1)), None)
    return RolloutStatus(step=step, live=live_variant(store, step), rollout=latest,
                         figures=variant_figures(store, latest.id) if latest else {})


def _figure(figures: VariantFigures | None, name: str) -> str:
    if figures is None or figures.items == 0:
        return "-"
    values = {
        "items": f"{figures.items}",
        "error rate": f"{figures.errors / figures.items:.1%} ({figures.errors})",
        "repairs": f"{figures.repairs}",
        "low scores": f"{figures.low_scores} of {figures.scored}",
        "mean score": "-" if figures.mean_score is None else f"{figures.mean_score:.2f}",
        "cost (USD)": f"{figures.cost_usd:.4f}",
        "mean latency (ms)": "-" if figures.mean_latency_ms is None else f"{figures.mean_latency_ms:.0f}",
    }
    return values[name]


def status_markdown(status: RolloutStatus) -> str:
    """The status as markdown: the headline, then a table of figures with a column a variant."""
    rollout = status.rollout
    lines = [f"# Rollout of `{status.step}`", "", f"Live variant: **{status.live}**."]
    if rollout is None:
        return "\n".join([*lines, "", "No canary has run."])
    lines += ["", f"Latest canary: **{rollout.candidate}** at {rollout.share:.0%} against **{rollout.live}**: "
                  f"{rollout.state.replace('_', ' ')}" + (f" ({rollout.reason})" if rollout.reason else "") + ".", "",
              f"| figure | {rollout.live} (live) | {rollout.candidate} (candidate) |", "| --- | --- | --- |"]
    lines += [f"| {name} | {live} | {candidate} |" for name, live, candidate in status.figure_rows()]
    return "\n".join(lines)


def artifact_key(step: str) -> str:
    """The artifact key of a step's rollout (Prefect keys take lowercase letters, digits and dashes)."""
    return "rollout-" + re.sub(r"[^a-z0-9-]+", "-", step.lower()).strip("-")


async def publish_status(store: PipelineStore, step: str) -> None:
    """Add a version of the step's rollout artifact; one that cannot be written is only logged."""
    try:
        status = rollout_status(store, step)
        await acreate_markdown_artifact(markdown=status_markdown(status), key=artifact_key(step),
                                        description=f"Variants of the step {step}: live, candidate, figures")
    except Exception:  # the rollout stands; the artifact is its picture only
        logger.warning("%s: the rollout artifact could not be written", step, exc_info=True)
