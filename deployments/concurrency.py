"""The research pipeline's global concurrency and rate limits, as data, and one idempotent way to create them.

Prefect does not create limits on the fly (and the pipeline uses `strict=True`), so the bootstrap calls
`ensure_concurrency_limits()` once per server. Running it again changes nothing; after editing a figure
here it updates the limit in place. `python -m deployments.concurrency` runs it alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from agentic_kit import LimitSpec
from tasks.research.limits import AgentKind, concurrency_limit_name, rate_limit_name


def agent_limits(kind: AgentKind, at_once: int, burst: int, per_second: float) -> tuple[LimitSpec, LimitSpec]:
    """An agent type's pair: at most at_once running, and calls paced at per_second after a burst."""
    return (
        LimitSpec(name=concurrency_limit_name(kind), limit=at_once),
        LimitSpec(name=rate_limit_name(kind), limit=burst, slot_decay_per_second=per_second),
    )


RESEARCH_LIMITS: tuple[LimitSpec, ...] = (
    *agent_limits(AgentKind.PLANNER, at_once=2, burst=5, per_second=1.0),
    *agent_limits(AgentKind.RESEARCHER, at_once=3, burst=10, per_second=5.0),
    *agent_limits(AgentKind.SCRAPER, at_once=4, burst=8, per_second=4.0),
    *agent_limits(AgentKind.TOOL, at_once=4, burst=10, per_second=5.0),
    *agent_limits(AgentKind.SYNTHESIZER, at_once=2, burst=5, per_second=1.0),
    *agent_limits(AgentKind.REVIEWER, at_once=2, burst=5, per_second=1.0),
)
"""Every limit the research pipeline takes slots from."""


async def ensure_concurrency_limits(specs: Sequence[LimitSpec] = RESEARCH_LIMITS) -> list[str]:
    """Create each limit, or bring an existing one to its spec (active, same limit and decay); say what was done."""
    done: list[str] = []
    async with get_client() as client:
        for spec in specs:
            try:
                current = await client.read_global_concurrency_limit_by_name(spec.name)
            except ObjectNotFound:
                try:
                    await client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(**spec.model_dump()))
                    done.append(f"{spec.name}: created")
                    continue
                except ObjectAlreadyExists:  # another bootstrap created it meanwhile
                    current = await client.read_global_concurrency_limit_by_name(spec.name)
            if (current.limit, current.slot_decay_per_second, current.active) == (
                spec.limit, spec.slot_decay_per_second, True
            ):
                done.append(f"{spec.name}: kept")
                continue
            await client.update_global_concurrency_limit(spec.name, GlobalConcurrencyLimitUpdate(
                limit=spec.limit, slot_decay_per_second=spec.slot_decay_per_second, active=True,
            ))
            done.append(f"{spec.name}: updated")
    return done


def main() -> None:
    """Create or update the limits on the server PREFECT_API_URL names, printing what was done."""
    for line in asyncio.run(ensure_concurrency_limits()):
        print(line)


if __name__ == "__main__":
    main()
