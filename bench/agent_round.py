"""The agent round: support-agent runs (bench/agent_run.py) against the bench's model server scripted to call tools,
ours beside pydantic-ai's own Prefect durability, for the speed of an agent and for its guarantees under faults and
a kill.

The model server answers by script (the kit's `RefundDeskScript`): for ticket n, turn 1 calls `lookup_customer` and
`order_history` at once, turn 2 calls `refund_order`, turn 3 answers; it logs each turn it answers as (ticket, turn).
The tools call the support desk (`SupportDesk`, started by the round): the enrichment contract at POST /enrich for the
lookups, and POST /refunds, which needs an Idempotency-Key and applies each key once (as a careful receiver, and the
kit's bundled service, do), counting refunds applied per order: an order refunded twice is a refund that arrived again
under a new key. Both servers add the round's latency (250 ms) to every request.

Speed (`agent_overhead`): the same runs, no faults, each side with fresh state: a plain pydantic-ai agent with no
durability (plain asyncio), ours, and the durable peer; `agent_overhead_ratio` is ours / plain. Every side must send
the plain agent's model and desk requests (same bodies, same counts) and answer every run.

Guarantees (`agent_fault_round`, ours then the peer, the same faults): 30 % of the model's and the desk's requests
fail transiently (429 with Retry-After, 500, a dropped connection; the same seed for both sides) with the fault
rounds' short backoff and 2 s call timeouts; the run is SIGKILLed once half the tickets had their answer (the model
and desk gates closed first, answered calls given PERSIST_GRACE_SECONDS to finish their tasks, as the resume
measurement does), then run again with the same state (a run that ends before its kill, its runs failed fast by an
open circuit breaker, is run again first: see `agent_fault_round`). Counted: model turns and tool calls answered
before the kill and made again after it (turns by (ticket, turn), tool calls by their request body), and orders
refunded more than once.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from pydantic import SecretStr
from sqlmodel import Session as StoreSession
from sqlmodel import select

from agentic_kit._blocks.agent_tables import AgentRunRow
from agentic_kit._blocks.store import PipelineStore
from agentic_kit.testing import EnrichmentServer, Fault, RefundDeskScript, RequestRecord
from agentic_kit.testing.scripted_agents import REFUND_DESK_TURNS
from bench.agent_run import AGENT_NAME, OURS, PEER, PLAIN, job
from bench.measure import PERSIST_GRACE_SECONDS, EndedBeforeKill, wait_for
from bench.peer_output import written_documents
from bench.peers import BREAKER_RESET_SECONDS, FAULT_FIGURES, FAULT_RATE, fault_mix
from bench.runs import Child, Session

AGENT_RUNS = 30
AGENT_LATENCY_SECONDS = 0.25
AGENT_RUN = "bench.agent_run"
TURNS_PER_RUN = REFUND_DESK_TURNS
AGENT_FAULT_MIX: dict[Fault, float] = {Fault.RATE_LIMIT: 1.0, Fault.SERVER_ERROR: 1.0, Fault.DROP: 1.0}
"""Transient faults only: each is retried by both sides."""
PREFIXES = {OURS: "agent", PEER: "peer_agent", PLAIN: "plain_agent"}
"""The figure prefix of each side."""
KILL_ATTEMPTS = 3
"""Runs of one side that may end by themselves before the one that is killed."""
_numbers = itertools.count(1)


class SupportDesk(EnrichmentServer):
    """The enrichment contract (POST /enrich) and refunds (POST /refunds with an Idempotency-Key, each key applied
    once), with fault injection and a request log on both."""

    fault_paths = frozenset({"/enrich", "/refunds"})

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.applied: dict[str, str] = {}
        """Idempotency key: the order it refunded."""
        self.deliveries: Counter[str] = Counter()
        """Refund requests answered, per key."""

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        return "refund" if path == "/refunds" else "enrich"

    def respond(self, method: str, path: str, body: dict[str, Any] | None,
                headers: Message) -> tuple[int, dict[str, Any]]:
        if method != "POST" or path != "/refunds":
            return super().respond(method, path, body, headers)
        key = headers.get("Idempotency-Key")
        if not key or not body or not isinstance(body.get("order_id"), str):
            return 400, {"detail": "an Idempotency-Key header and an order_id are required"}
        with self._lock:
            self.deliveries[key] += 1
            repeated = key in self.applied
            if not repeated:
                self.applied[key] = body["order_id"]
        return 200, {"refund_id": f"R-{body['order_id']}", "order_id": body["order_id"], "status": "issued",
                     "repeated": repeated}

    def refunds_per_order(self) -> Counter[str]:
        """How many times each order was refunded (once per key)."""
        with self._lock:
            return Counter(self.applied.values())

    def duplicate_refunds(self) -> int:
        """Orders refunded more than once."""
        return sum(count > 1 for count in self.refunds_per_order().values())


@contextmanager
def scripted(session: Session) -> Iterator[RefundDeskScript]:
    """The bench's model server answering by script at the round's latency, as it was afterwards."""
    model = session.upstreams.model
    responder, latency = model.responder, model.faults.latency
    script = RefundDeskScript()
    model.responder, model.faults.latency = script, AGENT_LATENCY_SECONDS
    try:
        yield script
    finally:
        model.responder, model.faults.latency = responder, latency


@contextmanager
def support_desk() -> Iterator[SupportDesk]:
    """A support desk at the round's latency."""
    with SupportDesk() as desk:
        desk.faults.latency = AGENT_LATENCY_SECONDS
        yield desk


def start(session: Session, side: str, runs: int, state: dict[str, str], width: int) -> Child:
    """Start `python -m bench.agent_run SIDE RUNS --concurrency width` in the snapshot once the Prefect server is
    idle."""
    session.drain()
    log = session.root / f"agent-{next(_numbers)}-{side}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", AGENT_RUN, side, str(runs), "--concurrency", str(width)],
                                   cwd=session.code, env={**os.environ, **state}, stdout=subprocess.PIPE,
                                   stderr=stderr, text=True)
    return Child(process, log)


def state_for(session: Session, desk: SupportDesk) -> dict[str, str]:
    """A side's own results folder, store and export folder, its tools pointed at the desk."""
    return {**session.fresh_state(), "AGENTIC_ENRICHMENT_URL": desk.url}


def _bodies(records: list[RequestRecord]) -> Counter[str]:
    return Counter(record.fingerprint for record in records)


def agent_overhead(session: Session, script: RefundDeskScript, runs: int, width: int,
                   rounds: int = 1) -> dict[str, Any]:
    """The plain agent, ours and the peer on the same runs, no faults (best of rounds); whether every side sent the
    plain agent's requests and answered every run."""
    model = session.upstreams.model.log
    seconds: dict[str, list[float]] = {side: [] for side in PREFIXES}
    same = True
    with support_desk() as desk:
        for _ in range(rounds):
            sent: dict[str, tuple[Counter[str], Counter[str]]] = {}
            for side in (PLAIN, OURS, PEER):
                marks = len(model.records), len(desk.log.records)
                run = start(session, side, runs, state_for(session, desk), width).finish()
                seconds[side].append(run["seconds"])
                sent[side] = _bodies(model.records[marks[0]:]), _bodies(desk.log.records[marks[1]:])
                same &= run["failed"] == 0 and len(sent[side][0]) == runs * TURNS_PER_RUN
            same &= sent[OURS] == sent[PLAIN] == sent[PEER]
    best = {side: min(values) for side, values in seconds.items()}
    return {"agent_overhead_ratio": best[OURS] / best[PLAIN], "peer_agent_overhead_ratio": best[PEER] / best[PLAIN],
            "agent_same_requests": same, "agent_runs": runs,
            **{f"{PREFIXES[side]}_seconds": values for side, values in seconds.items()}}


def kill_at_half(session: Session, desk: SupportDesk, script: RefundDeskScript, child: Child, since: float,
                 runs: int) -> float:
    """SIGKILL child once half the tickets were answered (since then): the model and desk gates close, answered calls
    get PERSIST_GRACE_SECONDS to finish their tasks, then the kill; the held requests are answered to no one. Returns
    the time before which an answered call counts as finished."""
    model = session.upstreams.model
    wait_for(lambda: script.answers(since) >= runs // 2 or child.process.poll() is not None, "half the tickets")
    if child.process.poll() is not None:
        raise EndedBeforeKill(f"the run to kill ended by itself first; see {child.log}")
    model.faults.hold()
    desk.faults.hold()
    time.sleep(PERSIST_GRACE_SECONDS)
    finished = time.time()
    child.process.kill()
    child.process.communicate()
    model.faults.release()
    desk.faults.release()
    return finished


def _settled(session: Session, desk: SupportDesk) -> None:
    """Wait until no request of a killed run is still being answered."""
    wait_for(lambda: session.upstreams.model.log.in_flight == 0 and desk.log.in_flight == 0, "held requests")


def _ok_bodies(records: list[RequestRecord], since: float, until: float = float("inf")) -> set[str]:
    """Request bodies answered OK, started at or after since and finished before until."""
    return {r.fingerprint for r in records if r.outcome == "ok" and r.started >= since and r.finished < until}


def answered_jobs(database_url: str) -> set[str]:
    """The jobs our agent answered (kept in the store's agent_runs)."""
    store = PipelineStore(database_url=SecretStr(database_url))
    with StoreSession(store.engine()) as session:
        rows = session.exec(select(AgentRunRow).where(AgentRunRow.agent == AGENT_NAME)).all()
    return {row.job for row in rows if row.status == "answered"}


def repeated(windows: list[tuple[float, float]], answered: Callable[[float, float], set[Any]]) -> tuple[int, int]:
    """Over runs one after another (each a window of time: its calls answered in [since, until) finished), how many
    calls a run made that an earlier run had finished, and how many the runs before the last one finished."""
    done: set[Any] = set()
    again = before_last = 0
    for since, until in windows:
        before_last = len(done)
        made = answered(since, until)
        again += len(made & done)
        done |= made
    return again, before_last


def agent_fault_round(session: Session, script: RefundDeskScript, side: str, runs: int, width: int,
                      kill: bool = True, fault_rate: float = FAULT_RATE) -> dict[str, Any]:
    """One side under faults, SIGKILLed at half (unless not kill), then run again with the same state.

    A run that ends before its kill (ours fails its remaining runs fast once a circuit breaker opens, keeping them
    as dead letters) is run again, same state, after the breakers' reset, up to KILL_ATTEMPTS times, and the kill
    comes in the run that reaches half the tickets; calls any run made that an earlier one had finished count as
    repeated too."""
    model = session.upstreams.model
    with support_desk() as desk, fault_mix([model, desk], fault_rate, AGENT_FAULT_MIX):
        state = {**state_for(session, desk), **FAULT_FIGURES}
        model_mark, started = len(model.log.records), time.time()
        windows: list[tuple[float, float]] = []
        killed = False
        for attempt in range(KILL_ATTEMPTS if kill else 1):
            if attempt:
                time.sleep(BREAKER_RESET_SECONDS)
            since = time.time()
            child = start(session, side, runs, state, width)
            try:
                if not kill:
                    raise EndedBeforeKill("no kill asked for")
                windows.append((since, kill_at_half(session, desk, script, child, started, runs)))
                killed = True
            except EndedBeforeKill:
                child.process.communicate()
                windows.append((since, time.time()))
            _settled(session, desk)
            if killed or script.answers(started) >= runs:
                break
        rerun_from = time.time()
        rerun = start(session, side, runs, state, width).finish()
        windows.append((rerun_from, float("inf")))
        repeated_turns, turns_done = repeated(windows, lambda a, b: set(script.turns(a, b)))
        repeated_calls, calls_done = repeated(windows, lambda a, b: _ok_bodies(desk.log.records, a, b))
        answered = (answered_jobs(state["AGENTIC_DATABASE_URL"]) if side == OURS
                    else written_documents(state["AGENTIC_EXPORT_FOLDER"]))
        kept = rerun["failed"] if side == OURS else 0  # ours keeps what it could not finish as dead letters
        return {"repeated_calls": repeated_turns + repeated_calls, "repeated_turns": repeated_turns,
                "repeated_tool_calls": repeated_calls, "duplicate_side_effects": desk.duplicate_refunds(),
                "killed": killed, "runs_before_kill": len(windows) - 1, "turns_before_kill": turns_done,
                "tool_calls_before_kill": calls_done,
                "lost_runs": runs - len(answered & {job(n) for n in range(1, runs + 1)}) - kept,
                "dead_lettered_runs": kept,
                "refund_keys_sent_twice": sum(count > 1 for count in desk.deliveries.values()),
                "model_faults_injected": sum(r.outcome not in ("ok", "error") for r in model.log.records[model_mark:]),
                "desk_faults_injected": sum(r.outcome not in ("ok", "error") for r in desk.log.records),
                "rerun_seconds": rerun["seconds"], "rerun_failed": rerun["failed"],
                "rerun_first_failure": rerun["first_failure"], "round_seconds": time.time() - started}


def agent_round(session: Session, runs: int = AGENT_RUNS, width: int = 16, kill: bool = True,
                fault_rate: float = FAULT_RATE, rounds: int = 1) -> dict[str, Any]:
    """The overhead runs, then a fault round for ours and for the peer; every figure prefixed by its side."""
    with scripted(session) as script:
        figures = agent_overhead(session, script, runs, width, rounds)
        for side in (OURS, PEER):
            round_figures = agent_fault_round(session, script, side, runs, width, kill, fault_rate)
            figures |= {f"{PREFIXES[side]}_fault_{key}": value for key, value in round_figures.items()}
    return figures
