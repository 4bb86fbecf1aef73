"""The research limits are created through the Prefect client, idempotently, and updated in place."""

from __future__ import annotations

import uuid

from prefect import get_client

from agentic_kit._blocks.resilience.dependency_limits import LimitSpec
from deployments.concurrency import RESEARCH_LIMITS, ensure_concurrency_limits
from tasks.research.limits import AgentKind, concurrency_limit_name, rate_limit_name


async def test_limits_are_created_kept_and_updated() -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    specs = (LimitSpec(name=f"{prefix}-cap", limit=2),
             LimitSpec(name=f"{prefix}-rate", limit=5, slot_decay_per_second=2.0))

    assert await ensure_concurrency_limits(specs) == [f"{prefix}-cap: created", f"{prefix}-rate: created"]
    assert await ensure_concurrency_limits(specs) == [f"{prefix}-cap: kept", f"{prefix}-rate: kept"]
    changed = (specs[0].model_copy(update={"limit": 3}), specs[1])
    assert await ensure_concurrency_limits(changed) == [f"{prefix}-cap: updated", f"{prefix}-rate: kept"]

    async with get_client() as client:
        cap = await client.read_global_concurrency_limit_by_name(f"{prefix}-cap")
        rate = await client.read_global_concurrency_limit_by_name(f"{prefix}-rate")
    assert (cap.limit, cap.slot_decay_per_second, cap.active) == (3, 0.0, True)
    assert (rate.limit, rate.slot_decay_per_second) == (5, 2.0)


def test_every_agent_type_has_a_cap_and_a_rate_limit() -> None:
    by_name = {spec.name: spec for spec in RESEARCH_LIMITS}
    for kind in AgentKind:
        assert by_name[concurrency_limit_name(kind)].slot_decay_per_second == 0
        assert by_name[rate_limit_name(kind)].slot_decay_per_second > 0
    assert len(by_name) == 2 * len(AgentKind)
