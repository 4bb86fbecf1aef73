"""The peers a team would pick instead, measured beside the pipeline: speed in the overhead rounds, then one fault
round each (ours too) for the guarantees.

Speed: at the end of each overhead round (bench/measure.py) every peer runs the same documents with a fresh results
folder; the naive Prefect peer must send exactly the baseline's requests (same bodies, same counts), the pydantic-ai
peer, whose bodies pydantic-ai builds, as many requests per step (json_schema name) and the same enrichment bodies.

Guarantees: the model and enrichment servers inject the chaos run's fault mix (30 %: 429, 500, a 3 s stall past the
2 s call timeout, a dropped connection, garbage JSON) with the chaos run's short backoff and timeouts; each side
runs once, is SIGKILLed once half its documents had their review answered (as the resume measurement does; a run
that ends first is not killed, `killed` false), and runs again with the same results folder (and, for ours, store). Counted: model calls answered before the kill and made
again after it, and documents with no output after the rerun (ours: no `{export_folder}/{id}.jsonl`; a peer: no
line in its results file).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.common import content_id
from agentic_kit.testing import Fault, RequestRecord, StubServer
from bench.measure import EndedBeforeKill, answered_since, kill_at_half
from bench.peer_output import written_documents
from bench.runs import PIPELINE, Session

NAIVE = "peer_naive_prefect"
PYDANTIC_AI = "peer_pydantic_ai"
DBOS = "peer_dbos"
LANGGRAPH = "peer_langgraph"
PEERS = {NAIVE: "bench.peer_naive_prefect", PYDANTIC_AI: "bench.peer_pydantic_ai", DBOS: "bench.peer_dbos",
         LANGGRAPH: "bench.peer_langgraph"}
"""The figure prefix of each peer and the module its child runs."""
SAME_BODIES = {NAIVE: True, PYDANTIC_AI: False, DBOS: True, LANGGRAPH: True}
"""Whether a peer sends byte-identical model request bodies (else its model requests are checked per step)."""
WITH_A_DATABASE = {PEERS[DBOS], PEERS[LANGGRAPH]}
"""The peers' modules that keep their durable state in a PostgreSQL database of their own."""

SIDES = ("pipeline", *PEERS)
"""The figure prefixes of the fault rounds: ours, then the peers."""

FAULT_DOCUMENTS = 50
FAULT_RATE = 0.30
FAULT_MIX: dict[Fault, float] = {Fault.RATE_LIMIT: 1, Fault.SERVER_ERROR: 1, Fault.SLOW: 1, Fault.DROP: 1,
                                 Fault.GARBAGE: 1}
SLOW_SECONDS = 3.0
FAULT_FIGURES = {"AGENTIC_BACKOFF_BASE_SECONDS": "0.2", "AGENTIC_BACKOFF_CAP_SECONDS": "1",
                 "AGENTIC_LLM_TIMEOUT_SECONDS": "2", "AGENTIC_TOOL_TIMEOUT_SECONDS": "2"}
"""The chaos run's fault mix, stall and short retry figures (chaos/settings.py; the bench may not import chaos)."""
FAULT_SEED = 7
BREAKER_RESET_SECONDS = 31.0
"""A run that ended before its kill (ours fails documents fast once a circuit breaker opens) is rerun only after the
breakers' default reset_seconds (30 s), as the chaos run waits, so the rerun's calls reach the servers."""


def _fingerprints(records: list[RequestRecord]) -> Counter[str]:
    return Counter(r.fingerprint for r in records)


def _steps(records: list[RequestRecord]) -> Counter[str]:
    return Counter(r.key for r in records)


@dataclass
class PeerRounds:
    """Each peer's wall times over the overhead rounds, and whether every round sent the baseline's requests."""

    session: Session
    folder: Path
    width: int
    seconds: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in PEERS})
    same_requests: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PEERS, True))

    def after_round(self, model: list[RequestRecord], enrichment: list[RequestRecord]) -> None:
        """Run every peer once and compare its requests with this round's baseline ones."""
        logs = self.session.upstreams.model.log, self.session.upstreams.enrichment.log
        for name, module in PEERS.items():
            marks = [len(log.records) for log in logs]
            run = self.session.run(module, self.folder, fresh_state(self.session, module), self.width)
            self.seconds[name].append(run["seconds"])
            sent = [log.records[mark:] for log, mark in zip(logs, marks, strict=True)]
            compare = _fingerprints if SAME_BODIES[name] else _steps
            self.same_requests[name] &= (run["failed"] == 0 and compare(sent[0]) == compare(model)
                                         and _fingerprints(sent[1]) == _fingerprints(enrichment))

    def figures(self, baseline_seconds: list[float], pipeline_seconds: list[float]) -> dict[str, Any]:
        """Our wall time / each peer's and each peer's / the baseline's (best of rounds), and the raw figures."""
        figures: dict[str, Any] = {}
        for name, seconds in self.seconds.items():
            figures |= {f"{name}_ratio": min(pipeline_seconds) / min(seconds),
                        f"{name}_overhead": min(seconds) / min(baseline_seconds),
                        f"{name}_seconds": seconds, f"{name}_same_requests": self.same_requests[name]}
        return figures


def fresh_state(session: Session, module: str) -> dict[str, str]:
    """A run's own state, with a database of its own for a peer that keeps its state in one."""
    return session.peer_state() if module in WITH_A_DATABASE else session.fresh_state()


def fault_rounds(session: Session, folder: Path, width: int) -> dict[str, Any]:
    """One fault round for ours and for each peer, with the same faults (same seed) and the same documents."""
    documents = {content_id(path.read_bytes()) for path in folder.iterdir() if path.is_file()}
    figures: dict[str, Any] = {}
    for name, module in zip(SIDES, (PIPELINE, *PEERS.values()), strict=True):
        with faults(session):
            round_figures = fault_round(session, module, folder, width, documents)
        figures |= {f"{name}_fault_{key}": value for key, value in round_figures.items()}
    return figures


def dead_lettered(database_url: str) -> set[str]:
    """The documents a run of ours keeps as open dead letters (with their step, error and inputs, replayable): not
    published, and not lost either."""
    letters = DeadLetters(PipelineStore(database_url=SecretStr(database_url))).list(status="open")
    return {letter.document_id for letter in letters}


def faults(session: Session) -> AbstractContextManager[None]:
    """The fault mix on the model and enrichment servers for as long as the block lasts (their latency kept)."""
    return fault_mix((session.upstreams.model, session.upstreams.enrichment), FAULT_RATE, FAULT_MIX)


@contextmanager
def fault_mix(servers: Sequence[StubServer], rate: float, mix: dict[Fault, float]) -> Iterator[None]:
    """Faults at this rate, drawn from this mix (FAULT_SEED: the same for every side; a stall lasts SLOW_SECONDS),
    on these servers for as long as the block lasts (their latency kept)."""
    for offset, server in enumerate(servers):
        server.faults.slow_seconds = SLOW_SECONDS
        server.faults.random_mix(rate, mix, FAULT_SEED * 10 + offset)
    try:
        yield
    finally:
        for server in servers:
            latency = server.faults.latency
            server.faults.clear()
            server.faults.latency = latency


def fault_round(session: Session, module: str, folder: Path, width: int, documents: set[str]) -> dict[str, Any]:
    """A run under faults SIGKILLed at half, a rerun with the same state; repeated calls and lost documents."""
    log = session.upstreams.model.log
    state, mark = {**fresh_state(session, module), **FAULT_FIGURES}, len(log.records)
    started, child = time.time(), session.start(module, folder, state, width)
    try:
        finished, killed = kill_at_half(session, child, mark, len(documents)), True
    except EndedBeforeKill:
        child.process.communicate()
        finished, killed = answered_since(log, mark, started), False
        time.sleep(BREAKER_RESET_SECONDS)
    rerun_from = time.time()
    rerun = session.run(module, folder, state, width)
    exports = Path(state["AGENTIC_EXPORT_FOLDER"])
    kept: set[str] = set()
    if module == PIPELINE:
        written = {path.stem for path in exports.glob("*.jsonl")} if exports.exists() else set()
        kept = dead_lettered(state["AGENTIC_DATABASE_URL"])
    else:
        written = written_documents(exports)
    injected = sum(r.outcome not in ("ok", "error") for r in log.records[mark:])
    return {"repeated_calls": len(finished & answered_since(log, mark, rerun_from)), "killed": killed,
            "lost_documents": len(documents - written - kept),
            "dead_lettered_documents": len((documents - written) & kept), "calls_before_kill": len(finished),
            "model_faults_injected": injected, "rerun_seconds": rerun["seconds"], "rerun_failed": rerun["failed"],
            "rerun_first_failure": rerun["first_failure"],
            "round_seconds": time.time() - started}
