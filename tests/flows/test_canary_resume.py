"""A canary survives a crash: ticket triage killed mid-canary and run again keeps each ticket's variant, sends each
variant's own instructions, and makes no finished model call again."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from agentic_kit._blocks.rollout_records import save_variant, start_canary
from agentic_kit._blocks.rollout_tables import StepVariantRow, VariantItemRow
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelExchangeRow
from agentic_kit._operate.metrics import PipelineCollector
from agentic_kit._steps.rollout import in_share
from agentic_kit.testing import EnrichmentServer, ModelServer
from tests.conftest import run_python
from tests.support.kills import answering_again, killed_after_answers

pytestmark = pytest.mark.e2e

STEP = "extract_ticket"
CANDIDATE_INSTRUCTIONS = "Name the ticket's customer, its product and its severity (critical, high, medium, low)."
TICKETS = [f"Customer {n} Ltd: Halvorsen Horizon export is failing (ticket {n})." for n in range(12)]
CALLS_BEFORE_CRASH = 8


def _variants(store: PipelineStore, rollout_id: str) -> dict[str, str]:
    with Session(store.engine()) as session:
        rows = session.exec(select(VariantItemRow).where(VariantItemRow.rollout_id == rollout_id)).all()
        return {row.item_id: row.variant for row in rows}


def _instructions_sent(store: PipelineStore) -> dict[str, set[str]]:
    """Each ticket's extract_ticket instructions as sent (the system message of its kept exchanges)."""
    sent: dict[str, set[str]] = {}
    with Session(store.engine()) as session:
        for row in session.exec(select(ModelExchangeRow).where(ModelExchangeRow.step == STEP)).all():
            sent.setdefault(row.document_id or "", set()).add(json.loads(row.messages)[0]["content"])
    return sent


def test_a_killed_canary_run_keeps_each_items_variant(served_environment: tuple[ModelServer, EnrichmentServer]) -> None:
    model_server, _ = served_environment
    store = PipelineStore.from_environment()
    save_variant(store, StepVariantRow(step=STEP, name="terse", instructions=CANDIDATE_INSTRUCTIONS))
    canary = start_canary(store, STEP, "terse", 0.5)
    command = ["-m", "flows.ticket_triage", *(part for ticket in TICKETS for part in ("--ticket", ticket))]
    finished_before_crash = killed_after_answers(model_server, command, CALLS_BEFORE_CRASH)
    before = _variants(store, canary.id)
    resumed_from = answering_again(model_server)

    rerun = run_python(*command)

    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert f"{len(TICKETS)} tickets: {len(TICKETS)} triaged, 0 failed" in rerun.stdout
    after = _variants(store, canary.id)
    repeated = finished_before_crash & {r.fingerprint for r in model_server.log.ok() if r.started >= resumed_from}
    print(f"tickets={len(TICKETS)} assigned before the kill={len(before)} after the rerun={len(after)} "
          f"candidate={sum(v == 'terse' for v in after.values())} repeated calls={len(repeated)}")
    assert before, "the killed run had assigned tickets before it died"
    assert {item: after[item] for item in before} == before, "a ticket changed variant across the crash"
    assert after == {item: "terse" if in_share(canary.id, item, 0.5) else "declared" for item in after}
    assert set(after.values()) == {"terse", "declared"} and len(after) == len(TICKETS)
    assert repeated == set(), "a model call that finished before the crash was made again"
    items = {sample.labels["variant"]: sample.value for family in PipelineCollector(store).collect()
             if family.name == "agentic_variant_items" for sample in family.samples
             if sample.labels["step"] == STEP and sample.labels["figure"] == "items"}
    assert items == {"terse": float(sum(v == "terse" for v in after.values())),
                     "declared": float(sum(v == "declared" for v in after.values()))}, items
    sent = _instructions_sent(store)
    assert all(any(CANDIDATE_INSTRUCTIONS in text for text in sent[item]) == (variant == "terse")
               for item, variant in after.items()), "a ticket was sent the other variant's instructions"
