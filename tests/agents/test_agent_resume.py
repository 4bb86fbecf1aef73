"""The durability guarantee of an agent under a real kill: SIGKILL the process mid-run, run it again, and no model
turn or tool call that finished is made again, no side effect happens twice, no job is lost.

A child process (`tests/support/agent_worker.py`) runs 6 refund-desk agent jobs, 2 at a time, against the model
server scripted to call tools (0.5 s a turn): turn 1 calls two lookups at once, turn 2 calls `refund_order`, which
POSTs to the receiver with the call's idempotency key, turn 3 answers. The receiver SIGKILLs the child (by its pid)
the moment it applies the third refund, before answering it, so that refund's task can never finish; the child then
runs again to completion with the same results folder and store.

What finished is what the killed process persisted: a turn's or a call's task completed when its result is in the
results folder, under its cache key (for a tool call, the idempotency key it sent). Who asked what comes from the
servers: the script logs each turn it answers as (ticket, turn); the receiver logs each delivery by key.

Measured (two runs, the same figures; the test prints them): turns needed 18, finished before the kill 10 (tickets
1 and 2 whole, turns 1 and 2 of tickets 3 and 4), in flight at the kill 0, asked by the rerun 8, answered in all
18 = 18 + 0; tool calls needed 18, finished before the kill 10, in flight 2 (the refunds of tickets 3 and 4, both
delivered before the kill and again by the rerun under the same key, each applied once), made by the rerun 8.
Asserted every run: finished turns made again 0, finished tool calls made again 0, turns answered in all = needed
+ in flight at the kill (at most one a running job), refunds applied more than once 0 (6 orders, 6 keys, each
applied once), jobs lost 0 (6 resolved, each agent run kept as answered with 3 turns and 3 calls).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email.message import Message
from pathlib import Path
from typing import Any

from prefect.results import ResultRecord
from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart
from sqlmodel import Session, select

from agentic_kit import PipelineStore
from agentic_kit.store import AgentRunRow
from agentic_kit.testing import ModelServer, RefundDeskScript, StubServer
from agentic_kit.testing.scripted_agents import REFUND_DESK_TURNS, Turn
from tests.conftest import REPO_ROOT, run_python, served_model, wait_until

JOBS = 6
AT_ONCE = 2
TURNS_PER_JOB = REFUND_DESK_TURNS
CALLS_PER_JOB = 3
KILL_AT_REFUND = 3
"""The receiver kills the child as it applies this refund: about half of the side effects."""
TURN_SECONDS = 0.5
CALL = re.compile(r"T(\d+)-(customer|orders|refund)")
ANSWER = re.compile(r"order O-(\d+)")
TOOL_TURN = {"customer": 1, "orders": 1, "refund": 2}
"""The turn whose answer made each call (turn 3 answers in text)."""


class Receiver(StubServer):
    """Takes the lookups and the refunds; logs every delivery by Idempotency-Key and applies a refund once per key
    (a careful receiver), counting refunds applied per order. `on_refund(n)` runs as the n-th refund is applied,
    before it is answered."""

    fault_paths = frozenset({"/lookups", "/refunds"})

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.deliveries: list[tuple[str, str, float]] = []
        """(path, idempotency key, time)."""
        self.applied: dict[str, str] = {}
        """Refund key: order id."""
        self.on_refund: Any = None

    def key(self, path: str, body: dict[str, Any] | None) -> str:
        return path

    def respond(self, method: str, path: str, body: dict[str, Any] | None,
                headers: Message) -> tuple[int, dict[str, Any]]:
        key, body = headers.get("Idempotency-Key") or "", body or {}
        if not key:
            return 400, {"detail": "an Idempotency-Key header is required"}
        with self._lock:
            self.deliveries.append((path, key, time.time()))
            first = path == "/refunds" and key not in self.applied
            if first:
                self.applied[key] = body["order_id"]
            count = len(self.applied)
        if first and self.on_refund is not None:
            self.on_refund(count)
        if path == "/refunds":
            return 200, {"refund_id": f"R-{body['order_id']}", "status": "issued", "repeated": not first}
        return 200, {"customer_id": body["email"].split("@")[0], "orders": ["O-7000"], **body}

    def keys(self, since: float = 0.0, until: float = float("inf")) -> Counter[str]:
        """Deliveries per key in [since, until)."""
        with self._lock:
            return Counter(key for _, key, at in self.deliveries if since <= at < until)

    def refunds_per_order(self) -> Counter[str]:
        with self._lock:
            return Counter(self.applied.values())


def finished(results: Path) -> tuple[set[Turn], set[str]]:
    """What the killed process persisted: the turns (ticket, turn) and the tool calls (their cache keys) whose tasks
    completed."""
    turns, calls = set(), set()
    for path in results.iterdir():
        try:
            record: ResultRecord[Any] = ResultRecord.deserialize(path.read_bytes())
        except ValueError:
            continue  # not a task's cached result (the flow's own, named by a uuid)
        response = record.result
        if not isinstance(response, ModelResponse):
            calls.add(path.name)
            continue
        for part in response.parts:
            if isinstance(part, ToolCallPart) and (found := CALL.fullmatch(part.tool_call_id or "")):
                turns.add((int(found.group(1)), TOOL_TURN[found.group(2)]))
            elif isinstance(part, TextPart) and (found := ANSWER.search(part.content)):
                turns.add((int(found.group(1)) - 7000, 3))
    return turns, calls


def test_a_killed_agent_run_resumes_without_making_a_finished_turn_or_call_again(
        isolated_state: Path) -> None:
    script = RefundDeskScript()
    with ModelServer(responder=script) as model_server, Receiver() as receiver:
        model_server.faults.latency = TURN_SECONDS
        model = served_model(model_server)
        env = {"OPENAI_BASE_URL": model.base_url or "", "OPENAI_API_KEY": "test-key", "AGENTIC_MODEL": model.model,
               "AGENTIC_MODEL_PROVIDER": "openai-compatible"}
        args = ["-m", "tests.support.agent_worker", str(JOBS), receiver.url, str(AT_ONCE)]
        killed = subprocess.Popen([sys.executable, *args], cwd=REPO_ROOT, env={**os.environ, **env},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def kill_at(count: int) -> None:
            if count == KILL_AT_REFUND:
                os.kill(killed.pid, signal.SIGKILL)

        receiver.on_refund = kill_at
        try:
            _, stderr = killed.communicate(timeout=120)
        finally:
            if killed.poll() is None:
                killed.kill()
        assert killed.returncode == -signal.SIGKILL, f"the run ended {killed.returncode} before its kill:\n{stderr}"
        receiver.on_refund = None
        wait_until(lambda: model_server.log.in_flight == 0 and receiver.log.in_flight == 0, 10,
                   "the requests the killed run left in flight")
        turns_done, calls_done = finished(isolated_state / "results")
        rerun_from = time.time()

        rerun = run_python(*args, env=env, timeout=120)

        assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
        before, after = script.turns(until=rerun_from), script.turns(since=rerun_from)
        keys_before, keys_after = receiver.keys(until=rerun_from), receiver.keys(since=rerun_from)
        turns_in_flight = set(before) - turns_done
        calls_in_flight = set(keys_before) - calls_done
        print(f"turns: needed {JOBS * TURNS_PER_JOB}, finished before the kill {len(turns_done)}, in flight at the "
              f"kill {len(turns_in_flight)}, asked by the rerun {len(after)}, answered in all {len(before + after)}; "
              f"tool calls: needed {JOBS * CALLS_PER_JOB}, finished before the kill {len(calls_done)}, in flight "
              f"{len(calls_in_flight)}, made by the rerun {len(keys_after)}; refund deliveries per key "
              f"{sorted(receiver.keys().get(key, 0) for key in receiver.applied)}")

    assert 0 < len(turns_done) < JOBS * TURNS_PER_JOB and 0 < len(calls_done) < JOBS * CALLS_PER_JOB
    assert turns_done & set(after) == set(), "a model turn that finished before the kill was asked again"
    assert calls_done & set(keys_after) == set(), "a tool call that finished before the kill was made again"
    assert len(before) == len(set(before)) and len(after) == len(set(after)), "a turn asked twice in one run"
    assert len(after) == JOBS * TURNS_PER_JOB - len(turns_done), "the rerun asked exactly the unfinished turns"
    assert len(before + after) == JOBS * TURNS_PER_JOB + len(turns_in_flight)
    assert len(turns_in_flight) <= AT_ONCE
    assert calls_done <= set(keys_before)
    assert len(set(keys_before) | set(keys_after)) == JOBS * CALLS_PER_JOB, "one key per call, in both runs"
    assert set(keys_after) == {key for key in set(keys_before) | set(keys_after) if key not in calls_done}
    assert receiver.refunds_per_order() == Counter({f"O-{7000 + n}": 1 for n in range(1, JOBS + 1)}), \
        "a refund applied twice, or one lost"
    assert len(receiver.applied) == JOBS, "the resumed refund came with the key it was first sent with"
    assert f"{JOBS} tickets: {JOBS} resolved, 0 failed" in rerun.stdout, rerun.stdout
    with Session(PipelineStore.from_environment().engine()) as session:
        runs = session.exec(select(AgentRunRow).where(AgentRunRow.agent == "refund-desk")).all()
    assert {run.job for run in runs if run.status == "answered"} == {f"T-{n}" for n in range(1, JOBS + 1)}
    assert {(run.model_turns, run.tool_calls) for run in runs} == {(TURNS_PER_JOB, CALLS_PER_JOB)}
