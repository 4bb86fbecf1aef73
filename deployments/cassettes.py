"""Cassettes of a run's model calls: recorded from the store, replayed through the document pipeline with no network.

Recording reads the exchanges the run kept (`model_exchanges`, agentic_kit/_steps/exchanges.py) and the texts of the documents
they were about, so a replay needs neither the files nor the endpoint. A step answered from cache made no call in
that run: the cassette holds the calls made and names the cached task runs (read from Prefect), whose requests a
replay then cannot answer. Everything that leaves the machine is redacted (URLs in messages, answers and texts);
no key or header is ever kept.

Replaying runs the document pipeline in the same process with the `cassette` provider, in a work folder of its own:
fresh result storage (nothing comes from cache), a SQLite store of its own (the recorded run's store is untouched;
the replay's outputs are there to compare), no enrichment (tool calls are not recorded), no export, no webhook,
and no review gate (threshold 0: nobody is asked to review a replay). A request not in the cassette fails its
document with NotInCassette, which names the nearest recorded request and how it differs; the replay lists those,
and the recorded requests it never asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterState,
    TaskRunFilterStateName,
)
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
from pydantic import BaseModel

from agentic_kit import CASSETTE, NotInCassette, Settings, UnreadableCassette, redacted_text
from agentic_kit.models import (
    Cassette,
    RecordedDocument,
    RecordedExchange,
    RecordedModel,
    ResponseFormat,
    TokenUsage,
    read_cassette,
    redacted_messages,
    request_key,
)
from agentic_kit.store import ExchangeLog, ModelExchangeRow, PipelineStore, utc_now
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport

DOCUMENT_PIPELINE = "document-pipeline"
RECORDED_TEXT = " (recorded text)"
"""Appended to a recorded document's source when it is replayed from its text, so no file suffix (.html, .pdf)
makes the pipeline read the text as another format."""


async def record(flow_run_id: UUID, store: PipelineStore) -> Cassette:
    """The cassette of a flow run: its model exchanges, its documents' texts and its cached steps.

    prefect.exceptions.ObjectNotFound when the Prefect server knows no such flow run."""
    async with get_client() as client:
        run = await client.read_flow_run(flow_run_id)
        flow = await client.read_flow(run.flow_id)
        cached = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            task_run_filter=TaskRunFilter(state=TaskRunFilterState(name=TaskRunFilterStateName(any_=["Cached"]))))
    log = ExchangeLog(store)
    rows = log.of_run(str(flow_run_id))
    documents = log.documents(str(flow_run_id), {row.document_id for row in rows if row.document_id})
    first = rows[0] if rows else None
    return Cassette(
        recorded_at=utc_now(), flow_run_id=str(flow_run_id), flow_name=flow.name,
        model=RecordedModel(model=first.model, context_window=first.context_window, tokenizer=first.tokenizer)
        if first else None,
        documents=[RecordedDocument(document_id=row.id, source=redacted_text(row.source), text=redacted_text(row.text))
                   for row in documents if row.text is not None],
        cached_steps=sorted(task_run.name for task_run in cached),
        exchanges=[_recorded(row) for row in rows],
    )


def _recorded(row: ModelExchangeRow) -> RecordedExchange:
    """A kept exchange as the cassette holds it, redacted."""
    return RecordedExchange(
        step=row.step, document_id=row.document_id, model=row.model,
        response_format=ResponseFormat.model_validate_json(row.response_format),
        messages=redacted_messages(json.loads(row.messages)), answer=redacted_text(row.answer), valid=row.valid,
        response_model=row.response_model,
        usage=TokenUsage(input_tokens=row.input_tokens, output_tokens=row.output_tokens,
                         cached_input_tokens=row.cached_input_tokens))


class Difference(BaseModel):
    """A document the replay could not process: the step, the document, and why (for a request not in the
    cassette, the nearest recorded request and what differs)."""

    step: str
    document: str
    error: str
    not_in_cassette: bool


class Unasked(BaseModel):
    """A recorded request the replay never made."""

    step: str
    document_id: str | None


class ReplayResult(BaseModel):
    """What a replay did: its flow run, its documents, every difference from the recording, and its store."""

    flow_run_id: str
    state: str
    documents: int
    processed: int
    differences: list[Difference]
    unasked: list[Unasked]
    recorded_from_cache: int
    """Steps of the recorded run answered from cache: the cassette holds no request for them."""
    store_url: str

    @property
    def same(self) -> bool:
        """True when every request was in the cassette and every document was processed."""
        return not self.differences and self.processed == self.documents


def readable_cassette(path: Path) -> Cassette:
    """A cassette the replay can run: of the document pipeline, with at least one exchange."""
    cassette = read_cassette(path)
    if cassette.flow_name != DOCUMENT_PIPELINE:
        raise UnreadableCassette(f"{path}: a cassette of {cassette.flow_name!r}; replay runs {DOCUMENT_PIPELINE!r} "
                                 "cassettes (use the cassette provider to answer another pipeline's calls)")
    if cassette.model is None:
        raise UnreadableCassette(f"{path}: the recorded run made no model call, so there is nothing to replay")
    return cassette


async def replay(path: Path, workdir: Path, folder: str | None = None,
                 paths: list[str] | None = None) -> ReplayResult:
    """Run the document pipeline on the cassette's answers (on its recorded texts, or on folder and paths)."""
    cassette = readable_cassette(path)
    model = cassette.model
    assert model is not None  # readable_cassette refuses a cassette without one
    workdir.mkdir(parents=True, exist_ok=True)
    store_url = f"sqlite:///{(workdir / 'replay.db').resolve()}"
    recorded = not folder and not paths
    environment = {
        "AGENTIC_MODEL_PROVIDER": CASSETTE, "AGENTIC_MODEL_CASSETTE": str(path.resolve()),
        "AGENTIC_MODEL": model.model, "AGENTIC_MODEL_CONTEXT_WINDOW": str(model.context_window),
        "AGENTIC_MODEL_TOKENIZER": model.tokenizer, "AGENTIC_DATABASE_URL": store_url,
        "AGENTIC_EXPORT_FOLDER": "none", "AGENTIC_ENRICHMENT_URL": None, "AGENTIC_PUBLISH_WEBHOOK_URL": None,
        "AGENTIC_FALLBACK_MODEL_BLOCK": None, "OPENAI_BASE_URL": None, "OPENAI_API_KEY": None,
    }
    if folder:  # the folder the command was given is a root of the replay (the working directory is none)
        environment["AGENTIC_INGEST_ROOTS"] = Settings().ingest_roots_with(folder)
    with _environment(environment), temporary_settings({PREFECT_LOCAL_STORAGE_PATH: workdir / "results"}):
        state = await document_pipeline(
            folder=folder, paths=paths, texts=[d.text for d in cassette.documents] if recorded else None,
            sources=[d.source + RECORDED_TEXT for d in cassette.documents] if recorded else None,
            review_threshold=0.0, return_state=True)
        report = await state.aresult(raise_on_failure=False)
        if not isinstance(report, PipelineReport):  # the run crashed or failed early: no caller's type error
            raise RuntimeError(f"the replay run ended {state.name} without a report: {state.message}")  # noqa: TRY004
        flow_run_id = str(state.state_details.flow_run_id)
        asked = {_key(row) for row in ExchangeLog(PipelineStore.from_environment()).of_run(flow_run_id)}
    outcomes = [o for o in report.outcomes if o.status != "rejected"]
    return ReplayResult(
        flow_run_id=flow_run_id, state=state.name, documents=len(outcomes),
        processed=sum(o.status == "processed" for o in outcomes),
        differences=[Difference(step=o.failed_step or "?", document=o.source, error=o.error or "",
                                not_in_cassette=(o.error or "").startswith(NotInCassette.__name__))
                     for o in outcomes if o.status == "failed"],
        unasked=[Unasked(step=e.step, document_id=e.document_id) for e in cassette.exchanges if e.key() not in asked],
        recorded_from_cache=len(cassette.cached_steps), store_url=store_url)


def _key(row: ModelExchangeRow) -> str:
    """The request key of a kept exchange."""
    return request_key(row.model, json.loads(row.messages), ResponseFormat.model_validate_json(row.response_format))


@contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables, and put them back as they were afterwards."""
    before = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set(name, value)
        yield
    finally:
        for name, value in before.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    """Set an environment variable, or remove it for None."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
