"""What became of each item, and of each request the servers answered.

Items: an item is processed when the final run's report says so; else it is a dead letter when the store holds an
open dead letter of this pipeline for it (a failure the pipeline recorded, to be replayed); anything else is lost.
An open dead letter of a processed item is counted apart (stale): settling it is the pipeline's job.

Requests, by the fingerprint the servers log (the hash of the request's canonical JSON body) and by the run whose
process was alive when the answer was given. Only successful answers count: a 429, a 500, a dropped connection, a
timeout and a garbage-JSON 200 are failures the pipeline is right to retry. An answer given after its run was
killed (the servers hold requests for a moment before a kill, and let them through after it) reached no process:
doing that call again is the only correct move, so such answers are counted apart, as undelivered.

- duplicated: enrichment answers beyond the first for the same request: a side effect (a tool call) done again
  although its answer had been delivered;
- repeated_calls: model answers to a request already answered in an earlier run: a finished call paid twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.store import PipelineStore
from agentic_kit.testing import RequestLog, RequestRecord

OK = "ok"
PROCESSED = "processed"


@dataclass(frozen=True)
class RunWindow:
    """When one run's process was alive: from its start to its exit, or to the moment its SIGKILL was sent."""

    number: int
    started: float
    ended: float


def run_of(record: RequestRecord, windows: list[RunWindow]) -> int | None:
    """The run alive when the request was answered, or None: answered to a process already killed."""
    return next((w.number for w in windows if w.started <= record.finished <= w.ended), None)


def delivered_ok(log: RequestLog, windows: list[RunWindow]) -> list[tuple[int, RequestRecord]]:
    """The successful answers a living run got, with its number, in the order they were given."""
    answers = [(run_of(record, windows), record) for record in log.ok()]
    return sorted(((run, record) for run, record in answers if run is not None), key=lambda pair: pair[1].finished)


def undelivered_ok(log: RequestLog, windows: list[RunWindow]) -> int:
    """Successful answers given when no run was alive to receive them."""
    return sum(run_of(record, windows) is None for record in log.ok())


def duplicated_answers(log: RequestLog, windows: list[RunWindow]) -> dict[str, int]:
    """Fingerprints answered successfully (and delivered) more than once, with how many times."""
    counts = Counter(record.fingerprint for _, record in delivered_ok(log, windows))
    return {fingerprint: count for fingerprint, count in counts.items() if count > 1}


def repeated_calls(log: RequestLog, windows: list[RunWindow]) -> int:
    """Delivered answers to a request already answered (and delivered) in an earlier run."""
    first_run: dict[str, int] = {}
    repeated = 0
    for run, record in delivered_ok(log, windows):
        first = first_run.setdefault(record.fingerprint, run)
        repeated += run > first
    return repeated


def faults_by_server(logs: dict[str, RequestLog]) -> dict[str, dict[str, int]]:
    """Faults injected, by server and by kind."""
    return {name: dict(sorted(log.faults_by_kind().items())) for name, log in logs.items()}


def faults_by_kind(by_server: dict[str, dict[str, int]]) -> dict[str, int]:
    """Faults injected on all the servers, by kind."""
    kinds: Counter[str] = Counter()
    for counts in by_server.values():
        kinds.update(counts)
    return dict(sorted(kinds.items()))


def retries_by_server(logs: dict[str, RequestLog]) -> dict[str, int]:
    """Requests repeating an earlier identical one, by server."""
    return {name: len(log.records) - len({r.fingerprint for r in log.records}) for name, log in logs.items()}


@dataclass
class RequestAudit:
    """The servers' side of a session: faults injected, requests made, and the answers given more than once."""

    faults_by_server: dict[str, dict[str, int]]
    requests: dict[str, int]
    retries: dict[str, int]
    duplicated: dict[str, int]
    repeated_calls: int
    undelivered: dict[str, int]

    @property
    def faults(self) -> int:
        """Faults injected on both servers."""
        return sum(sum(kinds.values()) for kinds in self.faults_by_server.values())

    @property
    def faults_by_kind(self) -> dict[str, int]:
        """Faults injected, by kind."""
        return faults_by_kind(self.faults_by_server)

    @property
    def duplicated_count(self) -> int:
        """Enrichment answers beyond the first for the same request."""
        return sum(count - 1 for count in self.duplicated.values())


def audit_requests(logs: dict[str, RequestLog], windows: list[RunWindow]) -> RequestAudit:
    """Faults, requests, retries (a request repeating an earlier identical one), duplicates and repeats."""
    return RequestAudit(
        faults_by_server=faults_by_server(logs),
        requests={name: len(log.records) for name, log in logs.items()},
        retries=retries_by_server(logs),
        duplicated=duplicated_answers(logs["enrichment"], windows),
        repeated_calls=repeated_calls(logs["model"], windows),
        undelivered={name: undelivered_ok(log, windows) for name, log in logs.items()},
    )


def open_dead_letters(database_url: str, pipeline: str) -> set[str]:
    """The ids of the items with an open dead letter of this pipeline in the store."""
    store = PipelineStore(database_url=SecretStr(database_url))
    return {row.document_id for row in DeadLetters(store).list(pipeline=pipeline, status="open")}


@dataclass
class ItemAudit:
    """Item ids by where they ended."""

    items: int
    processed: set[str]
    dead_letters: set[str]
    stale_dead_letters: set[str]
    lost: set[str]
    unexpected: set[str]
    """Ids in the final report that are no item of the file: the ids computed here differ from the pipeline's."""
    details: list[dict[str, Any]] = field(default_factory=list)


def audit_items(item_ids: list[str], report: dict[str, Any] | None, open_letters: set[str]) -> ItemAudit:
    """Where each item ended: processed in the final report, an open dead letter, or lost."""
    outcomes = {outcome["item_id"]: outcome for outcome in (report or {}).get("outcomes", [])}
    processed = {item for item, outcome in outcomes.items() if outcome.get("status") == PROCESSED}
    ids = set(item_ids)
    dead_letters = (open_letters & ids) - processed
    lost = ids - processed - dead_letters
    details = [{"item_id": item, "final_report": outcomes.get(item) and {
                    key: outcomes[item].get(key) for key in ("status", "step", "error")}}
               for item in item_ids if item in lost]
    return ItemAudit(items=len(ids), processed=processed & ids, dead_letters=dead_letters,
                     stale_dead_letters=open_letters & processed & ids, lost=lost,
                     unexpected=set(outcomes) - ids, details=details)
