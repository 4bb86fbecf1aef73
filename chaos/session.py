"""One chaos session: documents, faulted servers, pipeline runs SIGKILLed and resumed, then the audit.

Each kill (chaos/kills.py) is followed by a resume: the same command again, with the same store, result
storage and export folder, so finished steps come from cache. After the last kill, the final run goes to
the end. A run that ends before its kill point (documents failed fast, e.g. on an open circuit breaker)
counts as no kill; the next run waits until the open breakers let a probe through. Running, killing and waiting
for breakers are the kit's chaos harness (agentic_kit/_operate/chaos/); the documents, the kill plan, the figures
and the audit are this pipeline's.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentic_kit._operate.chaos.breakers import wait_for_breakers
from agentic_kit._operate.chaos.settings import BREAKER_WAIT_CAP_SECONDS
from bench.documents import write_documents
from chaos.audit import PublishAudit, audit, input_documents
from chaos.breakers import BreakerWatch, opened_events
from chaos.figures import outcome_figures, request_figures, run_figures
from chaos.kills import KillPoint, Progress, plan_kill
from chaos.runner import RunResult, run_pipeline
from chaos.settings import ChaosSettings, mix_text
from chaos.upstreams import DocumentUpstreams, upstreams
from chaos.workspace import DocumentWorkspace

Say = Callable[[str], None]


@dataclass
class ChaosResult:
    """A session's figures (what the table shows and latest.json holds) and its audit."""

    figures: dict[str, Any]
    audit: PublishAudit

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing duplicated, and the final run ended with its report."""
        return not self.audit.lost and not self.audit.duplicated and self.figures["final_exit_allowed"]


class Session:
    """The runs of one session against running servers, with a progress line for each."""

    def __init__(self, settings: ChaosSettings, servers: DocumentUpstreams, watch: BreakerWatch,
                 workspace: DocumentWorkspace, env: dict[str, str], code: Path, say: Say) -> None:
        self.settings, self.servers, self.watch, self.workspace = settings, servers, watch, workspace
        self.env, self.code, self.say = env, code, say
        self.progress = Progress(servers)
        self.rng = random.Random(settings.seed)
        self.runs: list[dict[str, Any]] = []
        self.waited = 0.0

    def run_all(self) -> None:
        """Run, kill and resume until the kills are done (or no work is left to kill in), then the final run."""
        kills, last = 0, None
        max_runs = 2 * self.settings.kills + 2
        while kills < self.settings.kills and len(self.runs) < max_runs:
            kills_left = self.settings.kills - kills
            point = plan_kill(self.rng, kills_left, kills_left == 1 and self.settings.kills > 1,
                              self.progress.remaining(self.settings.documents))
            last = self.run(" (resume)" if last is not None and last.killed else "", point)
            if last.killed:
                kills += 1
            elif last.returncode == 0:  # everything published: no work is left for a kill to interrupt
                break
            elif len(self.runs) < max_runs:
                self.wait_for_breakers()
        if last is None or last.killed:
            self.run(" (final)" if last is not None else "", None)

    def run(self, label: str, point: KillPoint | None) -> RunResult:
        """One pipeline run, SIGKILLed at its kill point (none: to the end)."""
        number = len(self.runs) + 1
        sink_before = len(self.servers.sink.log.records)
        result = run_pipeline(self.workspace.documents, self.code, self.env, self.workspace.log(number, "output"),
                              self.settings.run_timeout_seconds, self.progress.trigger(point) if point else None)
        phase = None
        if result.killed:
            phase = "publishing" if len(self.servers.sink.log.records) > sink_before else "model and tool calls"
            self.say(f"run {number}{label}: killed (SIGKILL) after {point.describe() if point else '?'}, "
                     f"{result.seconds:.1f} s, during {phase}; so far {self.so_far()}")
        else:
            note = " before its kill point" if point else ""
            report = result.headline or f"no report printed, see {result.log}"
            self.say(f"run {number}{label}: {result.outcome}{note} after {result.seconds:.1f} s: {report}; "
                     f"so far {self.so_far()}")
        self.runs.append({
            "run": number, "label": label.strip(" ()") or "run", "ended": result.outcome,
            "returncode": result.returncode, "seconds": round(result.seconds, 1),
            "kill_point": point.describe() if point else None, "killed_during": phase,
            "headline": result.headline, "log": str(result.log),
        })
        return result

    def wait_for_breakers(self) -> None:
        """Wait until the open breakers let a probe through, so the next run has work left to be killed in."""
        self.watch.poll()
        self.waited += wait_for_breakers(self.workspace.database_url, BREAKER_WAIT_CAP_SECONDS, self.say)

    def so_far(self) -> str:
        figures = request_figures(self.servers)
        return (f"{figures['model_requests']} model and {figures['enrichment_requests']} enrichment requests, "
                f"{figures['faults']} faults, {sum(self.watch.openings().values())} breaker openings, "
                f"{len(self.servers.sink.live_documents())} published")


def run_chaos(settings: ChaosSettings, api_url: str, root: Path, code: Path, say: Say = print) -> ChaosResult:
    """A whole session against the Prefect API at api_url, in the scratch folder root, with the code at code."""
    started, since = time.monotonic(), datetime.now(UTC)
    workspace = DocumentWorkspace(root)
    inputs = input_documents(write_documents(workspace.documents, settings.documents, seed=settings.seed))
    say(f"chaos: {settings.documents} documents, {settings.kills} kills, fault rate {settings.fault_rate:.2f} "
        f"({mix_text(settings.mix)}), seed {settings.seed}; scratch folder {root}")
    with upstreams(settings) as servers, BreakerWatch(workspace.database) as watch:
        session = Session(settings, servers, watch, workspace,
                          workspace.pipeline_environment(api_url, servers.environment()), code, say)
        session.run_all()
        watch.poll()
        result = audit(inputs, workspace.database_url, workspace.exports, servers.sink)
        figures = {
            "documents": result.documents,
            **request_figures(servers),
            **outcome_figures(result, watch),
            "breaker_opened_events": opened_events(api_url, since),
            "breaker_wait_seconds": round(session.waited, 1),
            **run_figures(session.runs, settings.kills),
        }
    figures["seconds"] = round(time.monotonic() - started, 1)
    return ChaosResult(figures, result)
