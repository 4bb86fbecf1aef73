"""The measurements: each runs the pipeline (and the baseline) side by side and returns its figures."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentic_kit.testing import OtlpReceiver, RequestLog, RequestRecord
from bench.documents import write_documents
from bench.procfs import PeakRss, tree_cpu_seconds
from bench.runs import BASELINE, PIPELINE, Child, Session

REVIEW_KEY = "Review"
"""The json_schema name of review requests, the last model call of a document."""
PERSIST_GRACE_SECONDS = 2.0
"""After the model gate closes, how long answered calls get to finish their tasks before the kill."""
POLL_SECONDS = 0.05
KILL_DEADLINE_SECONDS = 600
RoundHook = Callable[[list[RequestRecord], list[RequestRecord]], None]
"""Called at the end of each overhead round with that round's baseline model and enrichment requests."""


def _since(log: RequestLog, mark: int) -> Counter[str]:
    """Fingerprints of the requests logged after the first mark records."""
    return Counter(record.fingerprint for record in log.records[mark:])


def _side_by_side(session: Session, folder: Path, width: int, rounds: int,
                  after_round: RoundHook | None = None) -> tuple[list[float], list[float], bool, dict[str, str]]:
    """Baseline and cold pipeline runs alternated: their wall times, whether every round made the same requests,
    and the state of the last pipeline run. after_round, given the baseline's requests, runs at each round's end."""
    model, enrichment = session.upstreams.model.log, session.upstreams.enrichment.log
    baseline, cold, same_calls = [], [], True
    for _ in range(rounds):
        marks = len(model.records), len(enrichment.records)
        baseline.append(session.run(BASELINE, folder, session.upstreams.environment(), width)["seconds"])
        calls = _since(model, marks[0]), _since(enrichment, marks[1])
        baseline_requests = model.records[marks[0]:], enrichment.records[marks[1]:]
        state = session.fresh_state()
        marks = len(model.records), len(enrichment.records)
        run = session.run(PIPELINE, folder, state, width)
        cold.append(run["seconds"])
        same_calls &= calls == (_since(model, marks[0]), _since(enrichment, marks[1])) and run["failed"] == 0
        if after_round is not None:
            after_round(*baseline_requests)
    return baseline, cold, same_calls, state


def overhead_and_cache(session: Session, folder: Path, width: int, rounds: int,
                       after_round: RoundHook | None = None) -> dict[str, Any]:
    """Baseline and cold pipeline runs alternated (best of rounds), then a cached rerun of the last cold one."""
    model = session.upstreams.model.log
    baseline, cold, same_calls, state = _side_by_side(session, folder, width, rounds, after_round)
    mark = len(model.records)
    cached = session.run(PIPELINE, folder, state, width)
    return {
        "overhead_ratio": min(cold) / min(baseline),
        "cached_model_calls": len(model.records) - mark,
        "cached_speedup": cold[-1] / cached["seconds"],
        "baseline_seconds": baseline,
        "cold_seconds": cold,
        "cached_seconds": cached["seconds"],
        "same_calls_as_baseline": same_calls,
    }


def tracing_overhead(session: Session, folder: Path, width: int, rounds: int) -> dict[str, Any]:
    """Cold pipeline runs without and with spans exported over OTLP/HTTP, alternated (best of rounds)."""
    plain, traced = [], []
    with OtlpReceiver() as receiver:
        for _ in range(rounds):
            plain.append(session.run(PIPELINE, folder, session.fresh_state(), width)["seconds"])
            state = {**session.fresh_state(), "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
            traced.append(session.run(PIPELINE, folder, state, width)["seconds"])
    return {"tracing_overhead_ratio": min(traced) / min(plain), "untraced_seconds": plain, "traced_seconds": traced,
            "span_exports": receiver.requests}


def long_document(session: Session, folder: Path, width: int, rounds: int) -> dict[str, Any]:
    """The long document read part by part, `width` parts at once, against the baseline making the same calls."""
    mark = len(session.upstreams.model.log.records)
    baseline, cold, same_calls, _ = _side_by_side(session, folder, width, rounds)
    return {"long_document_ratio": min(cold) / min(baseline), "long_document_baseline_seconds": baseline,
            "long_document_seconds": cold, "long_document_same_calls": same_calls,
            "long_document_model_calls": (len(session.upstreams.model.log.records) - mark) // (2 * rounds)}


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until condition holds (TimeoutError after KILL_DEADLINE_SECONDS)."""
    deadline = time.monotonic() + KILL_DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


class EndedBeforeKill(RuntimeError):
    """The run to kill ended by itself first (its documents failed fast, e.g. on an open circuit breaker)."""


def kill_at_half(session: Session, child: Child, mark: int, documents: int) -> set[str]:
    """SIGKILL child once half the documents had their review call answered (model requests after mark): the model
    server holds new requests, answered calls get PERSIST_GRACE_SECONDS to finish their tasks, then the kill.
    Returns the fingerprints of the model calls answered before it."""
    model = session.upstreams.model

    def half_reviewed() -> bool:
        reviews = sum(r.key == REVIEW_KEY and r.outcome == "ok" for r in model.log.records[mark:])
        return reviews >= documents // 2 or child.process.poll() is not None

    wait_for(half_reviewed, "half the documents")
    if child.process.poll() is not None:
        raise EndedBeforeKill(f"the run to kill ended by itself first; see {child.log}")
    model.faults.hold()
    time.sleep(PERSIST_GRACE_SECONDS)
    finished = {r.fingerprint for r in model.log.records[mark:] if r.outcome == "ok"}
    child.process.kill()
    child.process.wait()
    model.faults.release()
    time.sleep(0.5)  # held requests are answered to no one; they started before the rerun
    return finished


def answered_since(log: RequestLog, mark: int, started: float) -> set[str]:
    """Fingerprints of the requests after mark answered OK that started at or after `started` (time.time())."""
    return {r.fingerprint for r in log.records[mark:] if r.outcome == "ok" and r.started >= started}


def resume(session: Session, folder: Path, documents: int, width: int, cold_seconds: float) -> dict[str, Any]:
    """SIGKILL a run once half the documents are reviewed, run it again; count repeated finished calls."""
    state, mark = session.fresh_state(), len(session.upstreams.model.log.records)
    finished = kill_at_half(session, session.start(PIPELINE, folder, state, width), mark, documents)
    resumed_from = time.time()
    run = session.run(PIPELINE, folder, state, width)
    after = answered_since(session.upstreams.model.log, mark, resumed_from)
    return {
        "resume_repeated_calls": len(finished & after),
        "resume_ratio": run["seconds"] / cold_seconds,
        "calls_before_kill": len(finished),
        "calls_after_resume": len(after),
        "resume_seconds": run["seconds"],
    }


def offline_runs(session: Session, sizes: list[int], width: int) -> list[dict[str, Any]]:
    """One offline-model run per size (fresh documents and state), with the Prefect server's peak RSS and CPU."""
    session.upstreams.set_latency(0.0)
    runs = []
    for size in sizes:
        folder = write_documents(session.root / f"offline-{size}", size)
        session.drain()
        cpu = tree_cpu_seconds(session.server_pid)
        with PeakRss(session.server_pid) as server:
            run = session.run(PIPELINE, folder, session.fresh_state(offline=True), width)
        runs.append(run | {"server_peak_rss_mb": server.mb,
                           "server_cpu_seconds": tree_cpu_seconds(session.server_pid) - cpu})
    return runs


def throughput(run: dict[str, Any]) -> dict[str, Any]:
    """Documents and agent task runs (model and tool steps) per minute of one offline run, and the cores each side
    kept busy."""
    return {"documents_per_min": run["processed"] / run["seconds"] * 60,
            "task_runs_per_min": run["agent_task_runs"] / run["seconds"] * 60,
            "throughput_seconds": run["seconds"], "throughput_task_runs": run["agent_task_runs"],
            "flow_cpu_share": run["cpu_seconds"] / run["seconds"],
            "server_cpu_share": run["server_cpu_seconds"] / run["seconds"]}


def scale(small: dict[str, Any], big: dict[str, Any]) -> dict[str, Any]:
    """How time and memory grow from the small run to the big one, and whether either had an error."""
    return {
        "scale_ratio": big["seconds"] / small["seconds"],
        "scale_seconds": [small["seconds"], big["seconds"]],
        "scale_errors": sum(r["failed"] + (r["state"] != "Completed") for r in (small, big)),
        "flow_peak_rss_mb": big["peak_rss_mb"],
        "server_peak_rss_mb": big["server_peak_rss_mb"],
    }
