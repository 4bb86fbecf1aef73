"""Publish is a saga: the store, the export folder and the webhook receiver always agree.

A failure injected at each publish step leaves no partial publish; a SIGKILL between publish steps is
completed by the next run (or undone); a process killed right after the webhook applied a notification
and before the publish was saved does not make the receiver apply it twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlalchemy import text as sql
from sqlmodel import Session, select

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.saga_log import SagaLog
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow
from agentic_kit._domain.models.common import content_id
from agentic_kit.testing import Fault, PublishSink
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport
from tests.conftest import REPO_ROOT, run_python

TEXTS = [
    f"Report {n}: Ada Lovelace met Charles Babbage of the Analytical Engine Company in London on 1843-0{n + 1}-10."
    for n in range(4)
]
IDS = [content_id(text) for text in TEXTS]
PUBLISH_ATTEMPTS = 3  # the saga's first try and its 2 retries


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishSink]:
    """A webhook receiver named by AGENTIC_PUBLISH_WEBHOOK_URL, as users configure it."""
    with PublishSink() as receiver:
        monkeypatch.setenv("AGENTIC_PUBLISH_WEBHOOK_URL", receiver.notify_url)
        yield receiver


def _store() -> PipelineStore:
    return PipelineStore.from_environment()


def _processed_in_store() -> set[str]:
    with Session(_store().engine()) as session:
        return set(session.exec(select(DocumentRow.id).where(DocumentRow.status == "processed")).all())


def _exported(export_folder: Path) -> set[str]:
    return {path.stem for path in export_folder.glob("*.jsonl")} if export_folder.exists() else set()


def _assert_agreement(sink: PublishSink, export_folder: Path, expected: set[str]) -> None:
    """Store, export folder and receiver hold the same published documents, each applied once."""
    stored, exported, live = _processed_in_store(), _exported(export_folder), sink.live_documents()
    twice = {document for document, count in sink.effects().items() if count > 1}
    print(f"published: store={len(stored)} export={len(exported)} receiver={len(live)} applied twice={len(twice)}")
    assert stored == exported == live == expected
    assert twice == set()


async def _run(texts: list[str]) -> PipelineReport:
    state = await document_pipeline(texts=texts, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport), state.message
    return report


async def test_a_publish_reaches_store_export_and_receiver_once(sink: PublishSink, isolated_state: Path) -> None:
    report = await _run(TEXTS)
    assert report.count("processed") == 4
    _assert_agreement(sink, isolated_state / "exports", set(IDS))

    again = await _run(TEXTS)
    assert again.count("processed") == 4
    assert len(sink.deliveries) == 4, "a document published with the same results is not announced again"


TASK_RUNS_RECORDED_WITHIN_SECONDS = 30


async def _task_runs_of(report: PipelineReport, expected: int) -> list[str]:
    """The task runs of a finished run by name, once the server has recorded at least `expected` of them (task-run
    states reach the server as events, a moment after the flow run ends) or the wait is over."""
    flow_run_id = report.flow_run_url.rstrip("/").rsplit("/", 1)[-1]
    deadline = time.monotonic() + TASK_RUNS_RECORDED_WITHIN_SECONDS
    async with get_client() as client:
        while True:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            if len(runs) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    return sorted(run.name.split("[")[0] if "[" in run.name else run.name.rsplit("-", 1)[0] for run in runs)


async def test_published_documents_are_not_processed_again_until_the_pipeline_changes(
    sink: PublishSink, isolated_state: Path
) -> None:
    await _run(TEXTS[:2])
    again = await _run(TEXTS[:2])
    assert again.count("processed") == 2 and again.cached_model_steps == 6
    assert await _task_runs_of(again, 3) == ["ingest", "publish-report", "settle-processed-dead-letters"], \
        "an unchanged pipeline worked on a document"

    changed = await document_pipeline(texts=TEXTS[:2], review_threshold=0.1, return_state=True)
    report = await changed.aresult()
    assert report.count("processed") == 2 and report.usage.calls == 0
    assert (await _task_runs_of(report, 9)).count("extract_entities") == 2, "a changed pipeline runs the steps (from cache)"
    assert len(sink.deliveries) == 2, "the same results are not announced again"


async def test_a_publish_step_that_fails_once_is_retried_and_published_everywhere(
    sink: PublishSink, isolated_state: Path
) -> None:
    sink.faults.push(Fault.SERVER_ERROR, times=1)
    report = await _run(TEXTS[:1])
    assert report.count("processed") == 1, report.failures()
    _assert_agreement(sink, isolated_state / "exports", {IDS[0]})
    assert SagaLog(_store()).get(IDS[0]).status == "published"


async def test_a_failure_at_each_publish_step_leaves_no_partial_publish(sink: PublishSink, isolated_state: Path) -> None:
    store_fails, export_fails, notify_fails, fine = IDS
    engine = _store().engine()
    with engine.begin() as connection:  # the store refuses one document's results
        connection.execute(sql(f"CREATE TRIGGER refuse_results BEFORE INSERT ON summaries WHEN "
                               f"NEW.document_id = '{store_fails}' BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    (isolated_state / "exports" / f"{export_fails}.jsonl.partial").mkdir(parents=True)  # its export cannot be written
    sink.faults.push(Fault.SERVER_ERROR, times=PUBLISH_ATTEMPTS, match=notify_fails)

    report = await _run(TEXTS)

    failed = {o.document_id: o for o in report.outcomes if o.status == "failed"}
    assert set(failed) == {store_fails, export_fails, notify_fails}
    assert all(o.failed_step == "publish" for o in failed.values())
    assert "disk full" in failed[store_fails].error
    assert "IsADirectoryError" in failed[export_fails].error
    assert "500" in failed[notify_fails].error
    _assert_agreement(sink, isolated_state / "exports", {fine})
    log = SagaLog(_store())
    assert {d: log.get(d).status for d in IDS} == {store_fails: "compensated", export_fails: "compensated",
                                                    notify_fails: "compensated", fine: "published"}
    letters = DeadLetters(_store()).list(status="open", step="publish")
    assert {letter.document_id for letter in letters} == set(failed)
    print("documents=4 faults injected=3 (one per publish step) published=1 compensated=3 lost=0")


def _pipeline_process(texts: list[str]) -> subprocess.Popen[str]:
    arguments = [arg for text in texts for arg in ("--text", text)]
    return subprocess.Popen([sys.executable, "-m", "flows.document_pipeline", *arguments], cwd=REPO_ROOT,
                            env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)


def _killed(process: subprocess.Popen[str], when: threading.Event, timeout: float = 120) -> None:
    """SIGKILL the process as soon as `when` is set."""
    try:
        assert when.wait(timeout), "the kill point was never reached"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL


def test_a_sigkill_mid_publish_is_completed_by_a_later_run_of_other_documents(
    sink: PublishSink, isolated_state: Path
) -> None:
    sink.faults.hold()  # the notification stays in flight: store and export are done, the receiver has nothing
    in_flight = threading.Event()
    watcher = threading.Thread(target=lambda: (_wait_until(lambda: sink.log.in_flight > 0), in_flight.set()),
                               daemon=True)
    watcher.start()
    _killed(_pipeline_process(TEXTS[:1]), in_flight)
    assert SagaLog(_store()).get(IDS[0]).status == "publishing"
    assert _processed_in_store() == {IDS[0]} and sink.live_documents() == set(), "the crash left half a publish"
    sink.faults.release()  # the receiver applies the orphaned request, answering no one
    _wait_until(lambda: sink.log.in_flight == 0)

    later = run_python("-m", "flows.document_pipeline", "--text", TEXTS[1])

    assert later.returncode == 0, later.stdout[-3000:] + later.stderr[-3000:]
    _assert_agreement(sink, isolated_state / "exports", {IDS[0], IDS[1]})
    assert SagaLog(_store()).get(IDS[0]).status == "published"


def test_a_process_killed_right_after_the_webhook_applied_does_not_notify_twice(
    sink: PublishSink, isolated_state: Path
) -> None:
    applied = threading.Event()
    sink.on_apply = lambda body: (applied.set(), time.sleep(2))  # answer late: the kill lands first
    _killed(_pipeline_process(TEXTS[:2]), applied)
    sink.on_apply = None

    rerun = run_python("-m", "flows.document_pipeline", *[arg for text in TEXTS[:2] for arg in ("--text", text)])

    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    resent = len(sink.deliveries) - len(set(sink.deliveries))
    print(f"documents=2 kills=1 deliveries={len(sink.deliveries)} resent with the same key={resent} "
          f"applied twice={sum(n > 1 for n in sink.effects().values())}")
    assert resent >= 1, "the rerun should have sent the interrupted notification again, with its key"
    _assert_agreement(sink, isolated_state / "exports", set(IDS[:2]))


def _wait_until(condition, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)
