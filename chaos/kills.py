"""When to SIGKILL a run: after a random share of the work left, counted on the servers.

Work is what the servers saw: model requests answered and publish notifications applied. Each kill comes
after a random number of new units, drawn so the kills spread over the work that is left; when a session
has several kills, the last one waits for the publish phase (store, export, notify), so a crash in the
middle of publishing is always part of a session.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from chaos.upstreams import DocumentUpstreams

MODEL_STEPS_PER_DOCUMENT = 3
"""extract, summarize, review: the model answers a document needs (a repair round adds one)."""


@dataclass(frozen=True)
class KillPoint:
    """Kill the run once `after` new units of work were seen (notifications only, when publish_only)."""

    after: int
    publish_only: bool

    def describe(self) -> str:
        what = "applied notifications" if self.publish_only else "model answers and applied notifications"
        return f"{self.after} new {what}"


class Progress:
    """The work the servers saw so far, and an estimate of what is left."""

    def __init__(self, servers: DocumentUpstreams) -> None:
        self.servers = servers

    def work(self, publish_only: bool) -> int:
        published = self.servers.published_notifications()
        return published if publish_only else published + self.servers.model.log.count("ok")

    def remaining(self, documents: int) -> tuple[int, int]:
        """Model answers and publishes still to come (distinct answers so far count as done)."""
        answered = {r.fingerprint for r in self.servers.model.log.ok()}
        model = max(0, MODEL_STEPS_PER_DOCUMENT * documents - len(answered))
        return model, max(0, documents - len(self.servers.sink.live_documents()))

    def trigger(self, point: KillPoint) -> Callable[[], bool]:
        """True once the point's amount of new work was done (counted from now)."""
        start = self.work(point.publish_only)
        return lambda: self.work(point.publish_only) - start >= point.after


def plan_kill(rng: random.Random, kills_left: int, last_of_several: bool, remaining: tuple[int, int]) -> KillPoint:
    """Where the next kill falls: a random share of the work left, or, for the last of several, within publishing."""
    model, publish = remaining
    if last_of_several:
        return KillPoint(rng.randint(1, max(1, publish // 2)), publish_only=True)
    share = (model + publish) * rng.uniform(0.5, 1.5) / (kills_left + 1)
    return KillPoint(max(1, round(share)), publish_only=False)
