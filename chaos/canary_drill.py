"""`make canary-drill`: a faulty candidate is rolled back on its own, a healthy one is not; no key needed.

Starts a Prefect server on a free port, two OpenAI-compatible test model servers (the live one healthy, the faulty
candidate's answering 30 % of requests with a 500), the enrichment test server and a notification sink, then runs
ticket triage on generated tickets twice: with the faulty candidate of `extract_ticket` at a 20 % share, then with a
healthy candidate (new instructions) at the same share. Prints one line per canary:

    canary: candidate=faulty share=0.20 items=300 rolled_back=yes after_items=…
    canary: candidate=healthy share=0.20 items=300 rolled_back=no

and then what it checked: the rollback's notification at the sink, the items after the rollback on the live variant,
no ticket lost and no model answer paid twice. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass

from agentic_kit.testing import EnrichmentServer, Fault, ModelServer, NotificationSink
from bench.environment import prefect_server, prepare

STEP = "extract_ticket"
FAULTY, HEALTHY = "faulty", "healthy"
FAULT_RATE = 0.30
CUSTOMERS = ("Kestrel Freight Corp.", "Northwind Traders Ltd", "Brightwater Systems", "Halvorsen Analytics GmbH")
TROUBLES = ("is down for all users", "export job is failing with error 502", "forecast looks wrong",
            "is slow to load the planning board", "cannot log in since the upgrade")
HEALTHY_INSTRUCTIONS = (
    "Read the support ticket and name three things: the customer (the company writing), the product the ticket is "
    "about, and the severity (critical: an outage or data loss; high: work blocked; medium: degraded; low: other).")


@dataclass(frozen=True)
class CanaryResult:
    """What one canary did, as the drill checked it."""

    candidate: str
    share: float
    items: int
    rolled_back: bool
    after_items: int | None
    reason: str | None
    processed: int
    items_after_rollback_on_candidate: int

    def line(self) -> str:
        """The drill's one line for this canary."""
        ended = f"yes after_items={self.after_items}" if self.rolled_back else "no"
        return f"canary: candidate={self.candidate} share={self.share:.2f} items={self.items} rolled_back={ended}"


def tickets(count: int, offset: int) -> list[dict[str, str]]:
    """`count` distinct tickets (numbered from offset, so two canaries never share one)."""
    return [{"text": f"{CUSTOMERS[n % len(CUSTOMERS)]}: Halvorsen Horizon {TROUBLES[n % len(TROUBLES)]} "
                     f"(ticket {n + 1:05d})."} for n in range(offset, offset + count)]


def paid_twice(*servers: ModelServer) -> int:
    """Requests answered 200 more than once with the same body: an answer paid for twice."""
    answered = Counter(record.fingerprint for server in servers for record in server.log.ok())
    return sum(count - 1 for count in answered.values() if count > 1)


async def run_canary(candidate: str, share: float, items: list[dict[str, str]], batch: int) -> CanaryResult:
    """Start the canary, triage the tickets batch by batch, and read back what the store kept."""
    from sqlmodel import Session, col, select

    from agentic_kit import PipelineStore
    from agentic_kit._blocks.rollout_records import STOPPED, end_canary, rollouts, start_canary
    from agentic_kit._blocks.rollout_tables import VariantItemRow
    from flows.ticket_triage import ticket_triage
    from tasks.tickets.steps import Ticket

    store = PipelineStore.from_environment()
    canary = start_canary(store, STEP, candidate, share)
    processed, failed = 0, []
    for start in range(0, len(items), batch):
        chunk = [Ticket(**item) for item in items[start:start + batch]]
        report = await ticket_triage.run(chunk)
        processed += report.count("processed")
        failed += [ticket for ticket, outcome in zip(chunk, report.outcomes, strict=True) if outcome.status != "processed"]
        print(f"  {candidate}: {start + len(chunk)}/{len(items)} tickets, {report.count('failed')} failed in this "
              "batch", flush=True)
    ended = next(row for row in rollouts(store, STEP) if row.id == canary.id)
    if ended.state == "canary":
        end_canary(store, canary.id, STOPPED, "the drill's items are done")
    if failed:  # dead letters of the candidate's failures, run again once the canary ended: on the live variant
        retried = await ticket_triage.run(failed)
        processed += retried.count("processed")
        print(f"  {candidate}: {len(failed)} failed tickets run again after the canary: "
              f"{retried.count('processed')} triaged", flush=True)
    late = 0
    if ended.ended_at is not None:
        with Session(store.engine()) as session:
            late = len(session.exec(select(VariantItemRow).where(
                VariantItemRow.rollout_id == canary.id, VariantItemRow.variant == candidate,
                col(VariantItemRow.assigned_at) > ended.ended_at)).all())
    return CanaryResult(candidate=candidate, share=share, items=len(items), rolled_back=ended.state == "rolled_back",
                        after_items=ended.after_items, reason=ended.reason, processed=processed,
                        items_after_rollback_on_candidate=late)


async def prepare_variants(faulty: ModelServer, sink: NotificationSink) -> None:
    """The faulty candidate's model block, both variants, and the rollback notification (an automation)."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from pydantic import SecretStr

    from agentic_kit import LanguageModel, PipelineStore
    from agentic_kit._blocks.rollout_records import save_variant
    from agentic_kit._blocks.rollout_tables import StepVariantRow
    from agentic_kit._operate.automations import NotificationBlocks, automations

    await LanguageModel(provider="openai-compatible", model="drill-candidate-model", base_url=f"{faulty.url}/v1",
                        api_key=SecretStr("drill-key"), timeout_seconds=5).asave("canary-drill-faulty", overwrite=True)
    store = PipelineStore.from_environment()
    save_variant(store, StepVariantRow(step=STEP, name=FAULTY, model_block="canary-drill-faulty",
                                       description="a model endpoint that fails 30 % of requests"))
    save_variant(store, StepVariantRow(step=STEP, name=HEALTHY, instructions=HEALTHY_INSTRUCTIONS,
                                       description="instructions reworded"))
    block_id = await CustomWebhookNotificationBlock(
        name="canary drill", url=f"{sink.url}/notify", method="POST",
        json_data={"subject": "{{subject}}", "body": "{{body}}"}).asave("canary-drill", overwrite=True)
    rolled_back = next(a for a in automations(NotificationBlocks(alerts=block_id, escalation=block_id))
                       if "canary rolled back" in a.name)
    await rolled_back.acreate()


def drill(items: int, share: float, batch: int, seed: int) -> int:
    """The whole drill, servers started and stopped here; 0 when every check held."""
    root = prepare()
    failures: list[str] = []
    with ModelServer() as live, ModelServer() as faulty, EnrichmentServer() as enrichment, \
            NotificationSink() as sink, prefect_server():
        faulty.faults.random_mix(FAULT_RATE, {Fault.SERVER_ERROR: 1.0}, seed=seed)
        os.environ.update({
            "OPENAI_BASE_URL": f"{live.url}/v1", "OPENAI_API_KEY": "drill-key", "AGENTIC_MODEL": "drill-live-model",
            "AGENTIC_ENRICHMENT_URL": enrichment.url, "AGENTIC_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
            "PREFECT_LOCAL_STORAGE_PATH": str(root / "results"), "AGENTIC_BACKOFF_BASE_SECONDS": "0.2",
            "AGENTIC_BACKOFF_CAP_SECONDS": "1",
        })
        sys.path.insert(0, os.getcwd())
        asyncio.run(prepare_variants(faulty, sink))
        results = []
        for number, candidate in enumerate((FAULTY, HEALTHY)):
            results.append(asyncio.run(run_canary(candidate, share, tickets(items, number * items), batch)))
        bad, good = results
        for result in results:
            print(result.line(), flush=True)
        failures += check(bad, good, sink, paid_twice(live, faulty))
    shutil.rmtree(root, ignore_errors=True)
    for failure in failures:
        print(f"canary drill FAILED: {failure}", flush=True)
    return 1 if failures else 0


def check(bad: CanaryResult, good: CanaryResult, sink: NotificationSink, duplicated: int) -> list[str]:
    """The drill's checks, each printed; the failed ones returned."""
    failures = []
    if not bad.rolled_back:
        failures.append("the faulty candidate was not rolled back")
    else:
        print(f"faulty: {bad.reason}")
        started = time.monotonic()
        try:
            note = sink.wait_for("Canary rolled back", timeout=90)
            print(f"notification at the sink after {time.monotonic() - started:.1f} s: {note.get('subject')}")
        except AssertionError as missing:
            failures.append(str(missing))
        print(f"items after the rollback: {bad.items - (bad.after_items or 0)}, routed to the candidate: "
              f"{bad.items_after_rollback_on_candidate} (all on the live variant)")
        if bad.items_after_rollback_on_candidate:
            failures.append("items after the rollback were routed to the candidate")
    if good.rolled_back:
        failures.append(f"the healthy candidate was rolled back: {good.reason}")
    submitted, processed = bad.items + good.items, bad.processed + good.processed
    print(f"tickets: {submitted} submitted, {processed} triaged, lost: {submitted - processed}, "
          f"model answers paid twice: {duplicated}")
    if processed != submitted or duplicated:
        failures.append(f"{submitted - processed} tickets lost, {duplicated} answers paid twice")
    return failures


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m chaos.canary_drill", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300, help="tickets per canary (300)")
    parser.add_argument("--share", type=float, default=0.2, help="the candidate's share (0.20)")
    parser.add_argument("--batch", type=int, default=50, help="tickets per pipeline run (50)")
    parser.add_argument("--seed", type=int, default=7, help="the faulty server's draws (7)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    raise SystemExit(drill(args.items, args.share, args.batch, args.seed))


if __name__ == "__main__":
    main()

