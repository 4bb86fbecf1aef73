"""One chaos session: faulted servers, runs SIGKILLed and rerun, a final run to the end, then the audit.

Each kill is followed by a rerun of the same command on all the items, with the same store, result storage and
lock folder, so the steps finished before the kill come from the cache and only the rest is done again. After the
last kill a final run goes to the end; its report, the store's dead letters and the servers' logs are audited. A run
that ends before its kill point counts as no kill (its items were done, or failed fast): when it processed
everything there is no work left to interrupt and the session goes on to the audit; otherwise the next run comes,
at most 2·kills+2 runs in all. Before every rerun the session waits for open circuit breakers (capped), so a rerun
does work instead of failing every item on an open circuit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_kit._operate.chaos.audit import (
    ItemAudit,
    RequestAudit,
    RunWindow,
    audit_items,
    audit_requests,
    open_dead_letters,
)
from agentic_kit._operate.chaos.breakers import wait_for_breakers
from agentic_kit._operate.chaos.kills import KillPoint, Progress, plan_kill
from agentic_kit._operate.chaos.runner import RunResult, run_pipeline
from agentic_kit._operate.chaos.settings import BREAKER_WAIT_CAP_SECONDS, SETTLE_SECONDS, ChaosSettings
from agentic_kit._operate.chaos.target import Target
from agentic_kit._operate.chaos.upstreams import Upstreams, upstreams
from agentic_kit._operate.chaos.workspace import Workspace
from agentic_kit._steps.pipeline import PipelineRunReport

Say = Callable[[str], None]


@dataclass
class ChaosResult:
    """A session's runs and audits, and what it took."""

    target: Target
    settings: ChaosSettings
    runs: list[dict[str, Any]]
    windows: list[RunWindow]
    items: ItemAudit
    requests: RequestAudit
    final: RunResult
    breaker_wait_seconds: float
    seconds: float
    scratch: Path

    @property
    def kills(self) -> int:
        """Runs ended by a SIGKILL."""
        return sum(run["outcome"] == "killed" for run in self.runs)

    @property
    def ok(self) -> bool:
        """Nothing lost and no side effect done twice."""
        return not self.items.lost and not self.requests.duplicated


class Session:
    """The runs of one session against running servers, with a progress line for each."""

    def __init__(self, settings: ChaosSettings, target: Target, servers: Upstreams, workspace: Workspace,
                 say: Say) -> None:
        self.settings, self.target, self.servers, self.workspace, self.say = settings, target, servers, workspace, say
        self.env = workspace.environment(servers.environment())
        self.progress = Progress(servers)
        self.rng = random.Random(settings.seed)
        self.runs: list[dict[str, Any]] = []
        self.windows: list[RunWindow] = []
        self.waited = 0.0

    def run_all(self) -> RunResult:
        """Run, kill and rerun until the kills are done (or no work is left to kill in), then the final run."""
        kills, last = 0, None
        max_runs = 2 * self.settings.kills + 2
        while kills < self.settings.kills and len(self.runs) < max_runs:
            kills_left = self.settings.kills - kills
            point = plan_kill(self.rng, kills_left, self.progress.remaining(len(self.target.item_ids),
                                                                            self.target.model_steps_per_item))
            last = self.run("rerun" if last is not None else "first", point)
            if last.killed:
                kills += 1
            elif last.returncode == 0:  # every item processed: no work is left for a kill to interrupt
                return last
        if last is None or last.killed:
            last = self.run("final" if last is not None else "first", None)
        return last

    def run(self, label: str, point: KillPoint | None) -> RunResult:
        """One run on all the items, SIGKILLed at its kill point (none: to the end)."""
        number = len(self.runs) + 1
        if number > 1:
            self.waited += wait_for_breakers(self.workspace.database_url, BREAKER_WAIT_CAP_SECONDS, self.say)
        result = run_pipeline(self.target.entrypoint, self.target.items_file, self.env,
                              self.workspace.log(number, "stdout"), self.workspace.log(number, "stderr"),
                              self.settings.run_timeout_seconds, self.progress.trigger(point) if point else None,
                              lambda: self.servers.held(SETTLE_SECONDS))
        self.windows.append(RunWindow(number, result.started, result.ended))
        headline = _headline(result)
        if result.killed:
            self.say(f"run {number} ({label}): killed (SIGKILL) after {point.describe() if point else '?'}, "
                     f"{result.seconds:.1f} s; so far {self.so_far()}")
        else:
            note = " before its kill point" if point else ""
            self.say(f"run {number} ({label}): {result.outcome}{note} after {result.seconds:.1f} s: "
                     f"{headline or f'no report, see {result.stderr}'}; so far {self.so_far()}")
        self.runs.append({"run": number, "label": label, "outcome": result.outcome, "returncode": result.returncode,
                          "seconds": round(result.seconds, 1), "kill_point": point.describe() if point else None,
                          "headline": headline, "stderr": str(result.stderr)})
        return result

    def so_far(self) -> str:
        """Requests and faults seen so far."""
        logs = self.servers.logs()
        faults = sum(sum(log.faults_by_kind().values()) for log in logs.values())
        return (f"{len(logs['model'].records)} model and {len(logs['enrichment'].records)} enrichment requests, "
                f"{faults} faults")


def _headline(result: RunResult) -> str | None:
    """The headline of a run's report, as the pipeline words it (`N tickets: N triaged, 0 failed; …`)."""
    return None if result.report is None else PipelineRunReport.model_validate(result.report).headline()


def run_chaos(settings: ChaosSettings, target: Target, root: Path, say: Say = print) -> ChaosResult:
    """A whole session in the scratch folder root: servers up, the runs, the audit, servers down."""
    started = time.monotonic()
    workspace = Workspace(root)
    repeated = f" ({target.lines - len(target.item_ids)} repeated lines count once)" \
        if target.lines > len(target.item_ids) else ""
    say(f"chaos: {target.name} ({target.entrypoint}), {len(target.item_ids)} items{repeated}, {settings.kills} kills, "
        f"fault rate {settings.fault_rate:.2f}, seed {settings.seed}; scratch folder {root}")
    with upstreams(settings.fault_rate, settings.seed) as servers:
        session = Session(settings, target, servers, workspace, say)
        final = session.run_all()
        requests = audit_requests(servers.logs(), session.windows)
    items = audit_items(target.item_ids, final.report, open_dead_letters(workspace.database_url, target.name))
    return ChaosResult(target, settings, session.runs, session.windows, items, requests, final, session.waited,
                       time.monotonic() - started, root)
