"""The shared budget's ledger, leases and periods: leases stop at the limit even when many arrive at once, settle at
what was used, give back what failed, hold room for several calls while there is room, come back when their process
is gone, and the first refusal of a period is the one announced."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select, update
from sqlmodel import Session

from agentic_kit._blocks.budget_leases import LEASE_CALLS, LEASES, LeaseChange, apply_lease_changes, take_lease
from agentic_kit._blocks.budget_ledger import budget_status, record_refusal
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._steps.record_writer import RECORDS
from agentic_kit._steps.shared_budget import SETTLEMENTS, LeaseBook
from tests.conftest import REPO_ROOT, wait_until
from tests.support import budget_worker
from tests.support.postgres import postgres_database

PIPELINE = "document-pipeline"
NOW = datetime(2026, 3, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PipelineStore]:
    """A store on each database this machine has, for the ledger."""
    urls = [f"sqlite:///{tmp_path / 'ledger.db'}"] if request.param == "sqlite" else postgres_database()
    yield from (PipelineStore(database_url=SecretStr(url)) for url in urls)


def _apply(store: PipelineStore, *changes: LeaseChange) -> None:
    with Session(store.engine()) as session, session.begin():
        apply_lease_changes(session, changes)


def _leases(store: PipelineStore) -> int:
    with store.engine().connect() as connection:
        return connection.execute(select(func.count()).select_from(LEASES)).scalar_one()


def test_leases_stop_at_the_limit_settle_at_what_was_used_and_give_back_what_failed(
    ledger_store: PipelineStore,
) -> None:
    budget = ModelBudget(pipeline=PIPELINE, max_usd=1.0, max_tokens=1000)
    start, _ = budget.period_bounds(NOW)
    first = take_lease(ledger_store, budget, PIPELINE, start, 400, 0.4)
    second = take_lease(ledger_store, budget, PIPELINE, start, 400, 0.4)
    assert first and second and (first.tokens, second.cost_usd) == (400, 0.4), "near the limit a lease holds one call"
    assert take_lease(ledger_store, budget, PIPELINE, start, 400, 0.4) is None
    assert take_lease(ledger_store, budget, PIPELINE, start, 1001, 0.0) is None, "a call over the token limit alone"

    _apply(ledger_store, LeaseChange(first, 400, 0.4, used_tokens=300, used_usd=0.3, calls=1),
           LeaseChange(second, 400, 0.4))
    status = budget_status(ledger_store, PIPELINE, budget, NOW)
    assert (status.spent_usd, status.spent_tokens, status.calls) == (0.3, 300, 1)
    assert (status.reserved_usd, status.reserved_tokens, status.left_usd, status.left_tokens) == (0.0, 0, 0.7, 700)


async def test_a_process_draws_many_calls_from_one_lease_and_gives_back_its_unused_room(
    ledger_store: PipelineStore,
) -> None:
    budget = ModelBudget(pipeline=PIPELINE, max_usd=100.0)
    start, _ = budget.period_bounds(NOW)
    book = LeaseBook()
    calls = LEASE_CALLS + 2
    leases = [await book.draw(ledger_store, budget, PIPELINE, start, 100, 0.1) for _ in range(calls)]
    assert len({lease.lease_id for lease in leases if lease}) == 2, "ten calls, two leases of eight"
    assert budget_status(ledger_store, PIPELINE, budget, NOW).reserved_usd == pytest.approx(1.6)

    failed, *settled = leases
    assert failed is not None
    book.give_back(ledger_store, failed, 100, 0.1)
    for lease in settled:
        assert lease is not None
        RECORDS.add(ledger_store, SETTLEMENTS, LeaseChange(lease, 100, 0.1, used_tokens=80, used_usd=0.08, calls=1))
    book.give_back_unused_room()
    RECORDS.flush()
    status = budget_status(ledger_store, PIPELINE, budget, NOW)
    print(f"{calls} calls, 1 failed: {_leases(ledger_store)} leases, spent ${status.spent_usd}, "
          f"reserved ${status.reserved_usd}")
    assert (status.calls, status.spent_tokens, status.reserved_tokens) == (calls - 1, 80 * (calls - 1), 0)
    assert (status.spent_usd, status.reserved_usd) == (pytest.approx(0.08 * (calls - 1)), 0.0)


def test_an_expired_lease_comes_back_once_and_its_late_settlement_only_adds_what_was_used(
    ledger_store: PipelineStore,
) -> None:
    budget = ModelBudget(pipeline=PIPELINE, max_usd=100.0)
    start, _ = budget.period_bounds(NOW)
    killed = take_lease(ledger_store, budget, PIPELINE, start, 100, 0.1)
    assert killed is not None and killed.cost_usd == pytest.approx(0.1 * LEASE_CALLS)
    with ledger_store.engine().begin() as connection:  # its process was killed long ago: the lease expired
        connection.execute(update(LEASES).where(LEASES.c.lease_id == killed.lease_id).values(expires_at=utc_now()))

    other = take_lease(ledger_store, budget, PIPELINE, start, 100, 0.1)
    assert other is not None and _leases(ledger_store) == 1, "the expired lease was given back"
    _apply(ledger_store, LeaseChange(killed, 100, 0.1, used_tokens=90, used_usd=0.09, calls=1))
    status = budget_status(ledger_store, PIPELINE, budget, NOW)
    assert (status.reserved_usd, status.spent_usd, status.calls) == (pytest.approx(other.cost_usd), 0.09, 1)


def test_two_processes_leasing_at_once_never_pass_the_limit(ledger_store: PipelineStore, tmp_path: Path) -> None:
    url = ledger_store.database_url.get_secret_value()
    ledger_store.engine()  # the tables exist before the workers start
    workers = [subprocess.Popen([sys.executable, "-m", "tests.support.budget_worker", url, str(tmp_path), str(n)],
                                cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(2)]
    wait_until(lambda: all((tmp_path / f"ready-{n}").exists() for n in range(2)), 60, "both workers ready")
    (tmp_path / "go").touch()
    admitted = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err[-2000:]
        admitted.append(int(out))
    status = budget_status(ledger_store, budget_worker.PIPELINE, budget_worker.BUDGET, budget_worker.PERIOD_START)
    print(f"2 processes x {budget_worker.RESERVATIONS} reservations of ${budget_worker.RESERVATION_USD} at once under "
          f"${budget_worker.BUDGET.max_usd}: admitted {admitted}, ${status.reserved_usd} reserved")
    assert sum(admitted) == 10 and status.reserved_usd == pytest.approx(1.0)


def test_the_first_refusal_of_each_period_is_the_one_announced(ledger_store: PipelineStore) -> None:
    budget = ModelBudget(pipeline=PIPELINE, period="month", max_tokens=10)
    march, april = (budget.period_bounds(moment)[0] for moment in (NOW, datetime(2026, 4, 2, tzinfo=UTC)))
    assert [record_refusal(ledger_store, PIPELINE, march)[0] for _ in range(3)] == [True, False, False]
    assert record_refusal(ledger_store, PIPELINE, april)[0] is True
    assert budget_status(ledger_store, PIPELINE, budget, NOW).refused == 3


def test_periods_start_at_midnight_or_on_the_first_unless_the_block_says_when() -> None:
    day = ModelBudget(pipeline=PIPELINE, max_usd=1)
    assert day.period_bounds(NOW) == (datetime(2026, 3, 15, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))
    month = ModelBudget(pipeline=PIPELINE, period="month", max_usd=1)
    assert month.period_bounds(NOW) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    anchored = ModelBudget(pipeline=PIPELINE, period="month", max_usd=1, period_start=datetime(2026, 1, 31, 12))
    assert anchored.period_bounds(NOW) == (datetime(2026, 2, 28, 12, tzinfo=UTC), datetime(2026, 3, 31, 12, tzinfo=UTC))
    shifted = ModelBudget(pipeline=PIPELINE, max_usd=1, period_start=datetime(2026, 3, 15, 9, tzinfo=UTC))
    assert shifted.period_bounds(NOW)[0] == datetime(2026, 3, 15, 9, tzinfo=UTC)


def test_a_budget_needs_a_limit_and_a_pipeline_name_and_the_environment_names_its_pipeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError, match="sets neither max_usd nor max_tokens"):
        ModelBudget(pipeline=PIPELINE)
    with pytest.raises(ValidationError, match="is not a pipeline name"):
        ModelBudget(pipeline="Document Pipeline", max_usd=1)
    monkeypatch.setenv("AGENTIC_BUDGET_PIPELINE", PIPELINE)
    monkeypatch.setenv("AGENTIC_BUDGET_PERIOD", "month")
    monkeypatch.setenv("AGENTIC_BUDGET_MAX_TOKENS", "5000")
    assert ModelBudget.from_environment("research-pipeline") is None
    budget = ModelBudget.from_environment(PIPELINE)
    assert budget is not None and (budget.period, budget.max_tokens, budget.max_usd) == ("month", 5000, None)
