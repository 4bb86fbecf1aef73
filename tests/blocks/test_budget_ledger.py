"""The shared budget's ledger and periods: reservations stop at the limit even when many arrive at once, settle at
what was used, give back what failed, and the first refusal of a period is the one announced."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from agentic_kit._blocks.budget_ledger import budget_status, record_refusal, release, reserve, settle
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.store import PipelineStore
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


def test_reservations_stop_at_the_limit_settle_at_what_was_used_and_give_back_what_failed(
    ledger_store: PipelineStore,
) -> None:
    budget = ModelBudget(pipeline=PIPELINE, max_usd=1.0, max_tokens=1000)
    start, _ = budget.period_bounds(NOW)
    first = reserve(ledger_store, budget, PIPELINE, start, 400, 0.4)
    second = reserve(ledger_store, budget, PIPELINE, start, 400, 0.4)
    assert first and second and reserve(ledger_store, budget, PIPELINE, start, 400, 0.4) is None
    assert reserve(ledger_store, budget, PIPELINE, start, 1001, 0.0) is None, "a call over the token limit alone"

    settle(ledger_store, first, 300, 0.3)
    release(ledger_store, second)
    status = budget_status(ledger_store, PIPELINE, budget, NOW)
    assert (status.spent_usd, status.spent_tokens, status.calls) == (0.3, 300, 1)
    assert (status.reserved_usd, status.reserved_tokens, status.left_usd, status.left_tokens) == (0.0, 0, 0.7, 700)


def test_two_processes_reserving_at_once_never_pass_the_limit(ledger_store: PipelineStore, tmp_path: Path) -> None:
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
