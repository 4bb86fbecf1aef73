"""One batch of support-agent runs, timed: `python -m bench.agent_run SIDE RUNS [--concurrency N]`.

Run n is the ticket `Ticket T-n: I am cust<n>@example.com; please refund order O-<7000 + n>.`, answered by an agent
with three tools against the support desk (bench/agent_round.py; AGENTIC_ENRICHMENT_URL): `lookup_customer` and
`order_history` (POST /enrich) and `refund_order` (POST /refunds with an Idempotency-Key). The model is the bench's
model server, scripted to call the lookups at once, then the refund, then answer. SIDE is one of:

- `ours`: the kit's `Agent` in a `@pipeline` (every turn and call a Prefect task cached by what shapes it; the tools
  guarded by the desk's limits and breaker, their failures mapped to the kit's errors, so the transient ones are
  retried); the refund sends `idempotency_key()`, its task's cache key;
- `peer`: pydantic-ai's agent made durable by `PrefectDurability` inside one flow, at its defaults (its cache policy
  keeps the run id; persisted results) with our retry count, backoff and timeout on the model and tool tasks, every
  exception retried; the refund sends its task's Prefect cache key too, the same mechanism at pydantic-ai's policy.
  Like a user's script it appends a line per answered run to `{AGENTIC_EXPORT_FOLDER}/results.jsonl`, and a rerun
  skips the runs written there;
- `plain`: the same pydantic-ai agent, no durability, no Prefect, plain asyncio (the refund sends a fresh uuid).

No tool needs approval: a run waiting for a person's decision would pause until its timeout, and no person answers
in the bench. Prints one JSON line: seconds (the batch alone), runs, failed, first_failure, already_written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from functools import cache
from typing import Any, cast

import httpx
from prefect import flow
from prefect.transactions import get_transaction
from pydantic import BaseModel
from pydantic_ai import Agent as LoopAgent
from pydantic_ai.durable_exec.prefect import PrefectDurability, TaskConfig
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from agentic_kit import (
    Agent,
    AgentLimits,
    EnrichmentApi,
    PipelineBlocks,
    PipelineRunReport,
    guarded,
    idempotency_key,
    pipeline,
    tool_dependency,
)
from bench.peer_batch import MODEL_RETRIES, SETTINGS, TOOL_CALL, model_client, timed
from bench.peer_output import results_path, written_documents

OURS, PEER, PLAIN = "ours", "peer", "plain"
AGENT_NAME = "support-desk"
INSTRUCTIONS = ("You answer a customer's ticket for the help desk: look the customer and their orders up, refund the "
                "order they name, and say what you did in one sentence.")
LIMITS = AgentLimits(max_turns=6, parallel_tool_calls=2)
PEER_TOOL_RETRIES = {key: TOOL_CALL[key] for key in ("retries", "retry_delay_seconds", "timeout_seconds")}
"""The peer's tool tasks: our tool retries and timeout, pydantic-ai's own cache policy."""


def ticket_text(number: int) -> str:
    """The question of run n."""
    return f"Ticket T-{number}: I am cust{number}@example.com; please refund order O-{7000 + number}."


def job(number: int) -> str:
    """The job name of run n."""
    return f"T-{number}"


@cache
def desk_client() -> httpx.AsyncClient:
    """One client of the support desk for the process."""
    if not SETTINGS.enrichment_url:
        raise SystemExit("an agent run needs AGENTIC_ENRICHMENT_URL: the support desk to call")
    return httpx.AsyncClient(base_url=SETTINGS.enrichment_url, timeout=SETTINGS.tool_timeout_seconds)


async def post(path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One POST to the desk; its answer's JSON, or httpx's error."""
    response = await desk_client().post(path, json=body, headers=headers or {})
    response.raise_for_status()
    return dict(response.json())


Poster = Callable[[str, dict[str, Any], dict[str, str] | None], Awaitable[dict[str, Any]]]


def desk_tools(send: Poster, refund_key: Callable[[], str]) -> list[Callable[..., Awaitable[dict[str, Any]]]]:
    """The three tools, posting through `send`; the refund's Idempotency-Key from `refund_key()` (inside the call).
    Every side gets the same names, signatures and docstrings, so the same tool schemas."""

    async def lookup_customer(email: str) -> dict[str, Any]:
        """The customer with this email."""
        return await send("/enrich", {"name": email, "type": "customer"}, None)

    async def order_history(email: str) -> dict[str, Any]:
        """The orders of the customer with this email."""
        return await send("/enrich", {"name": email, "type": "orders"}, None)

    async def refund_order(order_id: str, amount_usd: float) -> dict[str, Any]:
        """Refund an order to the customer."""
        return await send("/refunds", {"order_id": order_id, "amount_usd": amount_usd},
                          {"Idempotency-Key": refund_key()})

    return [lookup_customer, order_history, refund_order]


async def guarded_post(path: str, body: dict[str, Any], headers: dict[str, str] | None) -> dict[str, Any]:
    """Ours: through the desk's limits and circuit breaker (`guarded` maps httpx's errors to the kit's: a 429, a 5xx
    or a dropped connection is transient, so the tool's task retries it)."""
    return await guarded(tool_dependency(EnrichmentApi), path.strip("/"), lambda: post(path, body, headers))


def task_key() -> str:
    """The running Prefect task's cache key (its transaction's key), as the peer's refund sends it."""
    transaction = get_transaction()
    if transaction is None or not transaction.key:
        raise RuntimeError("the peer's refund runs outside a cached Prefect task")
    return transaction.key


class Ticket(BaseModel):
    number: int
    text: str


class Answered(BaseModel):
    job: str
    answer: str
    model_turns: int
    tool_calls: int


# No needs_approval: a run would wait for a person's decision, and no person answers in the bench.
OUR_AGENT: Agent[str] = Agent(AGENT_NAME, instructions=INSTRUCTIONS, tools=desk_tools(guarded_post, idempotency_key),
                              limits=LIMITS)


@pipeline(AGENT_NAME, item=Ticket, noun="tickets", done="answered")
async def support_desk(ticket: Ticket, blocks: PipelineBlocks) -> Answered:
    """One ticket through our agent."""
    run = await OUR_AGENT.run(ticket.text, job=job(ticket.number), uses=[blocks.enrichment])
    return Answered(job=job(ticket.number), answer=str(run.output), model_turns=run.model_turns,
                    tool_calls=run.tool_calls)


async def ours(runs: int, concurrency: int) -> dict[str, Any]:
    """Our pipeline over the runs."""
    items = [Ticket(number=n, text=ticket_text(n)).model_dump(mode="json") for n in range(1, runs + 1)]
    started, cpu_started = time.perf_counter(), time.process_time()
    state = await support_desk.flow(items, max_concurrent_items=concurrency, return_state=True)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    report = await state.aresult(raise_on_failure=False)
    if not isinstance(report, PipelineRunReport):
        raise SystemExit(f"the run ended {state.name} without a report: {state.message}")
    failures = [f"{o.step}: {o.error}" for o in report.outcomes if o.status == "failed"]
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "runs": runs, "failed": len(failures),
            "first_failure": failures[0] if failures else None, "already_written": 0}


def loop_agent(durable: bool) -> LoopAgent[None, str]:
    """pydantic-ai's agent on the bench's model server: durable at PrefectDurability's defaults, or plain."""
    model = OpenAIChatModel(SETTINGS.model, provider=OpenAIProvider(openai_client=model_client()))
    if not durable:
        return LoopAgent(model, name=AGENT_NAME, instructions=INSTRUCTIONS,
                         tools=desk_tools(post, lambda: str(uuid.uuid4())))
    durability: PrefectDurability[None] = PrefectDurability(model_task_config=cast(TaskConfig, MODEL_RETRIES),
                                                            tool_task_config=cast(TaskConfig, PEER_TOOL_RETRIES))
    return LoopAgent(model, name=AGENT_NAME, instructions=INSTRUCTIONS, tools=desk_tools(post, task_key),
                     capabilities=[durability])


async def batch(agent: LoopAgent[None, str], runs: int, concurrency: int, skip_written: bool) -> dict[str, Any]:
    """Every run not written yet (all, without skip_written), concurrency at once, each answer appended as it
    comes, as a user's script would."""
    written = written_documents(SETTINGS.export_folder) if skip_written else set()
    pending = [n for n in range(1, runs + 1) if job(n) not in written]
    path = results_path(SETTINGS.export_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    limit = asyncio.Semaphore(concurrency)

    async def one(number: int) -> None:
        async with limit:
            result = await agent.run(ticket_text(number))
        with path.open("a") as results:
            results.write(json.dumps({"document": job(number), "answer": result.output}) + "\n")

    outcomes = await asyncio.gather(*(one(n) for n in pending), return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    return {"runs": runs, "failed": len(failures),
            "first_failure": failures[0] if failures else None, "already_written": runs - len(pending)}


@flow(name="peer-agent-pydantic-ai")
async def peer_flow(runs: int, concurrency: int) -> dict[str, Any]:
    """The durable peer: every run in one flow."""
    return await batch(loop_agent(durable=True), runs, concurrency, skip_written=True)


async def peer(runs: int, concurrency: int) -> dict[str, Any]:
    """The peer's flow, timed around the flow call (as ours)."""
    return await timed(peer_flow(runs, concurrency))


async def plain(runs: int, concurrency: int) -> dict[str, Any]:
    """The plain agent, no flow, timed around the batch."""
    return await timed(batch(loop_agent(durable=False), runs, concurrency, skip_written=False))


SIDES: dict[str, Callable[[int, int], Coroutine[Any, Any, dict[str, Any]]]] = {OURS: ours, PEER: peer, PLAIN: plain}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("side", choices=sorted(SIDES))
    parser.add_argument("runs", type=int)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(SIDES[args.side](args.runs, args.concurrency))))


if __name__ == "__main__":
    main()
