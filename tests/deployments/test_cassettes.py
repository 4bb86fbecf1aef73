"""`agentic cassette`: a run against the model server recorded to a file, replayed with the server stopped to the
same outputs, and a recording whose summarize prompt differs from the code's listed as different."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, EntityRow, ReviewRow, SummaryRow
from agentic_kit._domain.models.common import content_id
from agentic_kit._operate.cli.app import app
from agentic_kit.testing import ModelServer
from deployments.cassettes import RECORDED_TEXT
from flows.document_pipeline import document_pipeline
from tasks.documents.agents import SUMMARIZE_INSTRUCTIONS

API_KEY = "sk-cassette-test-key-0451"
URL_TOKEN = "t0ken-in-a-url"
DOCUMENTS = {
    "northwind.txt": "Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024 to sign the supply deal. "
                     f"The signed copy is at https://files.example/deal.pdf?token={URL_TOKEN} for the team.",
    "halvorsen.md": "# Contract\n\nLukas Brandt signed the contract with Halvorsen Analytics GmbH in Oslo on "
                    "3 March 2025 for EUR 40,000.",
}
MODEL_STEPS_PER_DOCUMENT = 3


def _outputs(store_url: str) -> dict[str, tuple[str, list[tuple[str, str]], float]]:
    """Each stored document's summary, entities (name and type) and review score, by its source."""
    engine = PipelineStore(database_url=store_url).engine()
    with Session(engine) as session:
        documents = session.exec(select(DocumentRow)).all()
        return {document.source.removesuffix(RECORDED_TEXT): (
            session.get(SummaryRow, document.id).summary,
            [(e.name, e.type) for e in session.exec(select(EntityRow).where(EntityRow.document_id == document.id)
                                                    .order_by(EntityRow.position))],
            session.get(ReviewRow, document.id).score,
        ) for document in documents}


def _invoke(*args: str) -> tuple[int, dict[str, Any]]:
    """Run an `agentic` command in this process; its exit code and its JSON output."""
    result = CliRunner().invoke(app, list(args))
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON output (exit {result.exit_code}): {result.output} {result.exception!r}"
    return result.exit_code, json.loads(lines[-1])


def test_a_recorded_run_replays_with_no_network_and_a_changed_prompt_is_listed(
    model_server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTIC_MODEL_PROVIDER", "openai-compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("AGENTIC_MODEL", "test-model")
    state = asyncio.run(document_pipeline(texts=list(DOCUMENTS.values()), sources=list(DOCUMENTS),
                                          review_threshold=0.0, return_state=True))
    assert state.is_completed(), state.message
    calls = model_server.log.count(outcome="ok")
    assert calls >= MODEL_STEPS_PER_DOCUMENT * len(DOCUMENTS)
    recorded_outputs = _outputs(str(PipelineStore.from_environment().database_url.get_secret_value()))
    assert set(recorded_outputs) == set(DOCUMENTS)

    cassette = tmp_path / "run.cassette.json"
    code, recorded = _invoke("cassette", "record", str(state.state_details.flow_run_id), str(cassette), "--json")
    text = cassette.read_text()
    repaired = sum(not exchange["valid"] for exchange in json.loads(text)["exchanges"])
    answered = state.result().usage.calls
    assert code == 0 and recorded["exchanges"] == answered + repaired and recorded["documents"] == len(DOCUMENTS)
    assert API_KEY not in text and "authorization" not in text.lower() and URL_TOKEN not in text
    print(f"\ncassette: {recorded['exchanges']} exchanges ({repaired} invalid answers a repair round followed), "
          f"{len(text):,} bytes, no key, URL token redacted")

    model_server.stop()
    code, replayed = _invoke("cassette", "replay", str(cassette), "--workdir", str(tmp_path / "replay"), "--json")
    assert code == 0, replayed
    assert replayed["same"] and replayed["processed"] == len(DOCUMENTS) and not replayed["unasked"]
    assert model_server.log.count() == calls, "no request reached the model server"
    assert _outputs(replayed["store_url"]) == recorded_outputs
    print(f"replay: {replayed['processed']} documents, 0 differences, {model_server.log.count() - calls} requests "
          "to the model server, the same summaries, entities and review scores")

    data = json.loads(text)
    for exchange in data["exchanges"]:
        if exchange["step"] == "summarize":
            system = exchange["messages"][0]
            system["content"] = system["content"].replace(SUMMARIZE_INSTRUCTIONS.text, "Summarise the text in one line.")
    cassette.write_text(json.dumps(data))
    code, changed = _invoke("cassette", "replay", str(cassette), "--workdir", str(tmp_path / "changed"), "--json")
    assert code == 1 and not changed["same"]
    assert {(d["step"], d["document"].removesuffix(RECORDED_TEXT)) for d in changed["differences"]} == \
        {("summarize", source) for source in DOCUMENTS}
    assert all(d["not_in_cassette"] and "system message 1 from character 15: recorded 'text in one line." in d["error"]
               and "asked 'document in at most three" in d["error"] for d in changed["differences"]), changed
    nearest = {d["document"].removesuffix(RECORDED_TEXT): d["error"] for d in changed["differences"]}
    halvorsen_id = content_id(DOCUMENTS["halvorsen.md"])
    assert f"summarize of document {halvorsen_id[:12]}" in nearest["halvorsen.md"], "the nearest is its own summary"
    assert {u["step"] for u in changed["unasked"]} == {"summarize", "review"}
    print(f"changed prompt: {len(changed['differences'])} requests listed as different, "
          f"{len(changed['unasked'])} recorded requests not asked; e.g. {changed['differences'][0]['error']}")
