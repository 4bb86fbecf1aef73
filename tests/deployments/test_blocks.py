"""Blocks register with the Prefect CLI, and a saved block drives a run by name."""

from __future__ import annotations

from prefect import get_client

from agentic_kit import EnrichmentApi, LanguageModel, PipelineStore
from agentic_kit.testing import EnrichmentServer
from flows.document_pipeline import document_pipeline
from tests.conftest import run_python


async def test_prefect_block_register_shows_every_block_type() -> None:
    registered = run_python("-m", "prefect", "block", "register", "-m", "agentic_kit")
    assert registered.returncode == 0, registered.stderr
    async with get_client() as client:
        for block in (LanguageModel, EnrichmentApi, PipelineStore):
            block_type = await client.read_block_type_by_slug(block.get_block_type_slug())
            assert block_type.name == block.get_block_type_name()


async def test_a_saved_block_is_used_when_its_name_is_given(enrichment_server: EnrichmentServer) -> None:
    await EnrichmentApi(base_url=enrichment_server.url).save("test-enrichment", overwrite=True)
    state = await document_pipeline(
        texts=["Amara Okafor of Northwind Traders Ltd visited Bristol."],
        enrichment_api="test-enrichment",
        return_state=True,
    )
    report = await state.aresult()
    assert report.enrichment == enrichment_server.url
    assert enrichment_server.log.count(outcome="ok") >= 1
    [outcome] = report.outcomes
    assert any(e.found for e in outcome.enrichments), "the saved block's API answered"
