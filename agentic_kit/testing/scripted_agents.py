"""Scripted models for tool-calling agents: a `ModelServer` responder that plays one agent's tool calls by script."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from .model_server import RawAnswer, tool_calls

REFUND_DESK_TURNS = 3
"""The model turns of one refund-desk ticket: the lookups, the refund, the answer."""
TICKET = re.compile(r"T-(\d+)")
"""A ticket's number in its question (`Ticket T-<n>: …`)."""
Turn = tuple[int, int]
"""(ticket, turn)."""


class RefundDeskScript:
    """The refund desk's model, as a `ModelServer` responder: for ticket n (`T-<n>` in the user's message), turn 1
    looks the customer `cust<n>@example.com` and their orders up at once (`lookup_customer`, `order_history`), turn 2
    refunds order `O-<7000 + n>` (`refund_order`), turn 3 answers. Each call's id is `T<n>-customer`, `T<n>-orders`
    or `T<n>-refund`. Logs each turn it answers, (ticket, turn) with the time (faulted requests never reach it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answered: list[tuple[Turn, float]] = []

    def __call__(self, key: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> RawAnswer:
        found = TICKET.search(str(next(m for m in messages if m["role"] == "user")["content"]))
        if found is None:
            raise ValueError("the refund desk's script answers tickets only: no T-<n> in the question")
        number, turn = int(found.group(1)), sum(m["role"] == "assistant" for m in messages) + 1
        with self._lock:
            self._answered.append(((number, turn), time.time()))
        email = f"cust{number}@example.com"
        if turn == 1:
            return tool_calls((f"T{number}-customer", "lookup_customer", {"email": email}),
                              (f"T{number}-orders", "order_history", {"email": email}))
        if turn == 2:
            return tool_calls((f"T{number}-refund", "refund_order", {"order_id": f"O-{7000 + number}",
                                                                      "amount_usd": 40.0}))
        return RawAnswer(content=f"Refunded order O-{7000 + number} for {email}.")

    def turns(self, since: float = 0.0, until: float = float("inf")) -> list[Turn]:
        """The turns answered in [since, until) (time.time()), in the order answered."""
        with self._lock:
            return [turn for turn, at in self._answered if since <= at < until]

    def answers(self, since: float = 0.0) -> int:
        """Tickets answered (their last turn) since then."""
        return sum(turn == REFUND_DESK_TURNS for _, turn in self.turns(since))
