"""When to SIGKILL a run: after a random number of newly answered model requests, counted on the model server.

The model server's log is the one measure of progress every kit pipeline shares, whatever its steps do. Each kill
comes after a random share of the model answers still to come (estimated from the items and the model steps the
pipeline names, less the distinct answers seen so far), so several kills spread over the work instead of all
landing at the start. A run that ends before its kill point simply counts as no kill.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from agentic_kit._operate.chaos.upstreams import Upstreams


@dataclass(frozen=True)
class KillPoint:
    """Kill the run once `after` new model answers were seen."""

    after: int

    def describe(self) -> str:
        """`N new model answers`."""
        return f"{self.after} new model answer{'s' if self.after != 1 else ''}"


class Progress:
    """The model answers the server gave so far, and an estimate of those still to come."""

    def __init__(self, servers: Upstreams) -> None:
        self.servers = servers

    def answered(self) -> int:
        """Model requests answered OK so far."""
        return self.servers.model.log.count("ok")

    def remaining(self, items: int, steps_per_item: int) -> int:
        """Model answers still to come: an item's steps for every item, less the distinct answers so far."""
        distinct = len({record.fingerprint for record in self.servers.model.log.ok()})
        return max(0, items * steps_per_item - distinct)

    def trigger(self, point: KillPoint) -> Callable[[], bool]:
        """True once the point's number of new answers was given (counted from now)."""
        start = self.answered()
        return lambda: self.answered() - start >= point.after


def plan_kill(rng: random.Random, kills_left: int, remaining: int) -> KillPoint:
    """Where the next kill falls: a random share of the answers left, spread over the kills left."""
    share = remaining * rng.uniform(0.5, 1.5) / (kills_left + 1)
    return KillPoint(max(1, round(share)))
