"""The cache seen and invalidated: `agentic cache ls` lists each step's result, `cache invalidate` makes exactly those
steps run again, and a new instructions version re-runs its step only."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agentic_kit._operate.cli.app import app
from agentic_kit.testing import EnrichmentServer, ModelServer
from agentic_kit.testing.model_server import message_text
from agentic_kit.testing.schema_sample import sample_instance
from flows.document_pipeline import document_pipeline
from tasks.documents import agents
from tasks.documents.report import PipelineReport

DOCUMENTS = {
    "merger.txt": "Amara Okafor of Northwind Traders Ltd agreed to buy Halvorsen Analytics GmbH in Bristol.",
    "contract.txt": "Lukas Brandt signed a services contract with Contoso Ltd in Berlin worth EUR 40,000.",
    "ticket.txt": "Priya Nair reported that the Acme Router X2 drops its connection every evening in Leeds.",
}
MODEL_STEPS = {"extract_entities": "EntityList", "summarize": "Summary", "review": "Review"}
"""The model steps of a short document, and the schema each one asks the model for (the server log's key)."""


class TakeCountingModel:
    """Answers like the test model server, except that every summary says which take it is, as a sampling model's
    summary of the same text differs from one call to the next."""

    def __init__(self) -> None:
        self.takes = itertools.count(1)

    def __call__(self, key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> Any:
        answer = sample_instance(schema or {"type": "object"}, message_text(messages[-1]))
        return {"summary": f"Summary take {next(self.takes)}."} if key == "Summary" else answer


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    """The model server the pipeline's environment points at (see served_environment)."""
    with ModelServer(responder=TakeCountingModel()) as server:
        yield server


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text)
    return folder


async def _run(folder: Path) -> PipelineReport:
    state = await document_pipeline(folder=str(folder), return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport) and state.is_completed(), state.message
    return report


async def _cli(*arguments: str) -> Any:
    """Run `agentic …` (in a thread, as from a shell: no event loop) and return its JSON output."""
    result = await asyncio.to_thread(CliRunner().invoke, app, list(arguments))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _calls_since(server: ModelServer, start: int) -> Counter[str]:
    """The model requests answered since the first `start`, counted by schema."""
    return Counter(record.key for record in server.log.records[start:] if record.outcome == "ok")


def _document_ids(report: PipelineReport) -> dict[str, str]:
    return {Path(o.source).name: o.document_id or "" for o in report.outcomes}


async def test_invalidating_one_summary_reruns_that_summary_and_the_review_that_reads_it_and_nothing_else(
    served_environment: tuple[ModelServer, EnrichmentServer], tmp_path: Path
) -> None:
    model_server, enrichment_server = served_environment
    folder = _folder(tmp_path)
    first = await _run(folder)
    ids = _document_ids(first)
    assert _calls_since(model_server, 0) == {schema: 3 for schema in MODEL_STEPS.values()}

    listed = await _cli("cache", "ls", "--json")
    model_entries = [e for e in listed if e["step"] in MODEL_STEPS]
    assert sorted((e["step"], e["document_id"]) for e in model_entries) == sorted(
        (step, document_id) for step in MODEL_STEPS for document_id in ids.values())
    assert all(e["model"] == "test-model" and e["size_bytes"] > 0 and Path(e["storage_key"]).is_file()
               for e in model_entries)
    assert {e["instructions_version"] for e in model_entries if e["step"] == "summarize"} == {
        agents.SUMMARIZE_INSTRUCTIONS.version}
    assert {e["step"] for e in listed} - set(MODEL_STEPS) <= {"enrich"}, "tool steps are listed too"
    merger = ids["merger.txt"]
    one = await _cli("cache", "ls", "--document", merger[:12], "--step", "summarize", "--json")
    assert [(e["step"], e["document_id"]) for e in one] == [("summarize", merger)]

    assert await _cli("cache", "invalidate", "--step", "summarize", "--document", merger[:12], "--json") == {
        "invalidated": 1}
    enrichment_calls, model_calls = len(enrichment_server.log.records), len(model_server.log.records)
    second = await _run(folder)

    # The merger's summary is made again, and being a new take it changes the review's input, so its review is made
    # again too; its extraction and enrichment come from cache, and the other two documents are skipped whole.
    assert _calls_since(model_server, model_calls) == {"Summary": 1, "Review": 1}
    assert len(enrichment_server.log.records) == enrichment_calls
    outcomes = {Path(o.source).name: o for o in second.outcomes}
    assert (outcomes["merger.txt"].model_calls, outcomes["merger.txt"].cached_steps) == (2, 1)
    assert outcomes["merger.txt"].summary == "Summary take 4."
    assert all(outcomes[name].model_calls == 0 and outcomes[name].cached_steps == 3
               for name in ("contract.txt", "ticket.txt"))

    model_calls = len(model_server.log.records)
    third = await _run(folder)
    assert len(model_server.log.records) == model_calls and all(o.model_calls == 0 for o in third.outcomes), \
        "the republished document is skipped again"
    assert len(await _cli("cache", "ls", "--step", "summarize", "--json")) == 3


async def test_a_new_instructions_version_reruns_its_step_only(
    served_environment: tuple[ModelServer, EnrichmentServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_server, _ = served_environment
    folder = _folder(tmp_path)
    await _run(folder)
    old_version, model_calls = agents.REVIEW_INSTRUCTIONS.version, len(model_server.log.records)

    monkeypatch.setattr(agents.REVIEW_INSTRUCTIONS, "text", agents.REVIEW_INSTRUCTIONS.text + " Be strict.")
    second = await _run(folder)

    assert _calls_since(model_server, model_calls) == {"Review": 3}
    assert all((o.model_calls, o.cached_steps) == (1, 2) for o in second.outcomes)
    reviews = await _cli("cache", "ls", "--step", "review", "--json")
    assert Counter(e["instructions_version"] for e in reviews) == {
        old_version: 3, agents.REVIEW_INSTRUCTIONS.version: 3}


def test_invalidate_without_a_step_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["cache", "invalidate", "--document", "abc"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "agentic: say which step to invalidate with --step (see `agentic cache ls` for the cached steps)")
