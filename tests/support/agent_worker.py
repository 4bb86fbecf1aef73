"""A worker process for the agent resume test: a pipeline of refund-desk agents against a scripted model server.

Run as `python -m tests.support.agent_worker JOBS RECEIVER_URL [MAX_AT_ONCE]` with the model server named the way the
kit reads it (OPENAI_BASE_URL, OPENAI_API_KEY, AGENTIC_MODEL, AGENTIC_MODEL_PROVIDER=openai-compatible). Ticket n
asks for a refund of order `O-700n` for customer `cust<n>@example.com`; the model server's script (the kit's
`RefundDeskScript`) answers turn 1 with two lookups at once, turn 2 with the refund, turn 3 with the answer. Every
tool posts to the receiver with the call's `idempotency_headers()`: the lookups to /lookups (nothing changes; the key
tells calls apart), the refund to /refunds (a side effect). Prints the run's headline, then one JSON line per ticket.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx
from pydantic import BaseModel

from agentic_kit import Agent, AgentLimits, PipelineBlocks, PipelineRunReport, idempotency_headers, pipeline

RECEIVER_VARIABLE = "AGENT_WORKER_RECEIVER_URL"
DESK_INSTRUCTIONS = "Refund what the customer asks for: look the customer and their orders up, then refund the order."


class Ticket(BaseModel):
    """A customer's request, numbered."""

    number: int
    text: str


class Resolved(BaseModel):
    """What the desk answered, and what its agent did."""

    number: int
    answer: str
    model_turns: int
    tool_calls: int


def ticket(number: int) -> Ticket:
    """Ticket number n."""
    return Ticket(number=number, text=f"Ticket T-{number}: I am cust{number}@example.com; please refund order "
                                      f"O-{7000 + number}.")


async def _post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=os.environ[RECEIVER_VARIABLE], timeout=10) as client:
        response = await client.post(path, json=body, headers=idempotency_headers())
        response.raise_for_status()
        return dict(response.json())


async def lookup_customer(email: str) -> dict[str, Any]:
    """The customer with this email."""
    return await _post("/lookups", {"tool": "lookup_customer", "email": email})


async def order_history(email: str) -> dict[str, Any]:
    """The orders of the customer with this email."""
    return await _post("/lookups", {"tool": "order_history", "email": email})


async def refund_order(order_id: str, amount_usd: float) -> dict[str, Any]:
    """Refund an order (changes something: sent with the call's idempotency key)."""
    return await _post("/refunds", {"order_id": order_id, "amount_usd": amount_usd})


DESK: Agent[str] = Agent("refund-desk", instructions=DESK_INSTRUCTIONS,
                         tools=[lookup_customer, order_history, refund_order],
                         limits=AgentLimits(max_turns=4, parallel_tool_calls=2))


@pipeline("refund-desk", item=Ticket, noun="tickets", done="resolved")
async def refund_desk(item: Ticket, blocks: PipelineBlocks) -> Resolved:
    """One ticket through the desk's agent."""
    run = await DESK.run(item.text, job=f"T-{item.number}")
    return Resolved(number=item.number, answer=str(run.output), model_turns=run.model_turns, tool_calls=run.tool_calls)


async def main(jobs: int, at_once: int) -> None:
    items = [ticket(number).model_dump(mode="json") for number in range(1, jobs + 1)]
    state = await refund_desk.flow(items, max_concurrent_items=at_once, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    if not isinstance(report, PipelineRunReport):
        raise SystemExit(f"the run ended {state.name} without a report: {state.message}")
    print(report.headline())
    for outcome in report.outcomes:
        print(json.dumps({"status": outcome.status, "result": outcome.result, "error": outcome.error}))


if __name__ == "__main__":
    os.environ[RECEIVER_VARIABLE] = sys.argv[2]
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[3]) if len(sys.argv) > 3 else 16))
