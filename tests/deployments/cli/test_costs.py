"""`agentic costs` against the model_usage rows of a real run on the test model server (priced), plus one older row."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelUsageRow
from agentic_kit.testing import ModelServer
from flows.document_pipeline import document_pipeline
from tests.conftest import served_model

TEXTS = ["Amara Okafor of Northwind Traders Ltd visited Bristol in May 2024.",
         "Contoso Pharma opened a laboratory in Lyon; Dr. Lena Weber leads it."]
OLD_DAY = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
FIGURES = ("input_tokens", "output_tokens", "cached_input_tokens", "cost_usd")


@pytest.fixture
def usage(model_server: ModelServer) -> list[ModelUsageRow]:
    """A real run of two documents on the priced test model, and one call recorded on 2025-01-15: every usage row."""
    asyncio.run(served_model(model_server).asave("costs-test", overwrite=True))
    state = asyncio.run(document_pipeline(texts=TEXTS, sources=["a.txt", "b.txt"], language_model="costs-test",
                                          return_state=True))
    assert state.is_completed(), state.message
    store = PipelineStore.from_environment()
    store.record_usage(ModelUsageRow(step="summarize", model="older-model", input_tokens=1000, output_tokens=200,
                                     cost_usd=0.0036, created_at=OLD_DAY))
    with Session(store.engine()) as session:
        return list(session.exec(select(ModelUsageRow)).all())


def _expected(rows: list[ModelUsageRow],
              key: Callable[[ModelUsageRow], tuple[str, ...]]) -> dict[tuple[str, ...], dict]:
    """Calls and sums of the rows for each key, computed without pandas."""
    groups: dict[tuple[str, ...], dict] = defaultdict(lambda: {"calls": 0, **dict.fromkeys(FIGURES, 0)})
    for row in rows:
        group = groups[key(row)]
        group["calls"] += 1
        for figure in FIGURES:
            group[figure] += getattr(row, figure)
    return dict(groups)


def _costs(agentic: Callable[..., Result], *args: str) -> dict:
    result = agentic("costs", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by(report: dict, *columns: str) -> dict[tuple[str, ...], dict]:
    return {tuple(row[c] for c in columns): {k: row[k] for k in ("calls", *FIGURES)} for row in report["rows"]}


def _assert_same(actual: dict[tuple[str, ...], dict], expected: dict[tuple[str, ...], dict]) -> None:
    assert actual.keys() == expected.keys()
    for key, figures in expected.items():
        assert actual[key] == {**figures, "cost_usd": pytest.approx(figures["cost_usd"])}, key


def test_costs_by_model_and_step_and_by_day_match_the_usage_rows(
    usage: list[ModelUsageRow], agentic: Callable[..., Result]
) -> None:
    run_rows = [row for row in usage if row.model == "test-model"]
    assert len(run_rows) == 6 and all(row.cost_usd > 0 for row in run_rows), "3 priced calls a document"
    assert {row.pipeline for row in run_rows} == {"document-pipeline"}

    report = _costs(agentic)
    assert report["by"] == ["model", "step"]
    _assert_same(_by(report, "model", "step"), _expected(usage, lambda r: (r.model, r.step)))
    assert report["totals"]["calls"] == 7
    assert report["totals"]["cost_usd"] == pytest.approx(sum(row.cost_usd for row in usage))
    print(f"\ncosts: {report['totals']['calls']} calls, ${report['totals']['cost_usd']:.6f} "
          f"({len(report['rows'])} model/step rows)")

    by_day = _costs(agentic, "--by", "day,pipeline")
    _assert_same(_by(by_day, "day", "pipeline"),
                 _expected(usage, lambda r: (r.created_at.strftime("%Y-%m-%d"), r.pipeline or "unknown")))
    assert ("2025-01-15", "unknown") in _by(by_day, "day", "pipeline")

    only_old = _costs(agentic, "--since", "2025-01-15", "--until", "2025-01-15", "--by", "model")
    assert _by(only_old, "model") == {("older-model",): {"calls": 1, "input_tokens": 1000, "output_tokens": 200,
                                                         "cached_input_tokens": 0, "cost_usd": 0.0036}}
    by_run = _costs(agentic, "--since", "2025-01-16", "--by", "flow-run")
    assert [row["flow_run"] for row in by_run["rows"]] == [str(run_rows[0].flow_run_id)]

    table = agentic("costs", "--by", "model")
    assert table.exit_code == 0
    assert "older-model" in table.stdout and "total" in table.stdout
    assert f"${report['totals']['cost_usd']:,.6f}" in table.stdout


def test_out_writes_csv_and_parquet_that_read_back_equal(
    usage: list[ModelUsageRow], agentic: Callable[..., Result], tmp_path: Path
) -> None:
    report = _costs(agentic, "--by", "model,step,day")
    expected = pd.DataFrame(report["rows"])
    for name in ("costs.csv", "costs.parquet"):
        out = tmp_path / "reports" / name
        written = _costs(agentic, "--by", "model,step,day", "--out", str(out))
        assert written["written_to"] == str(out)
        read = pd.read_csv(out) if out.suffix == ".csv" else pd.read_parquet(out)
        pd.testing.assert_frame_equal(read, expected, check_dtype=False)
        assert len(read) == len(expected) == 4

    wrong = agentic("costs", "--out", str(tmp_path / "costs.xlsx"))
    assert wrong.exit_code == 2
    assert wrong.stderr.strip() == "agentic: costs.xlsx: write costs to a .csv or a .parquet file"


def test_no_usage_in_range_says_so_in_one_line(agentic: Callable[..., Result]) -> None:
    empty = agentic("costs", "--since", "2999-01-01")
    assert empty.exit_code == 0 and empty.stdout.strip() == "No model usage in the store since 2999-01-01."
    bad = agentic("costs", "--by", "model,colour")
    assert bad.exit_code == 2
    assert "--by colour: group by one or more of model, step, pipeline, day, flow-run" in bad.stderr


def test_an_older_store_gets_the_pipeline_column_and_its_rows_count_as_unknown(
    agentic: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "older.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE model_usage (id INTEGER PRIMARY KEY, flow_run_id VARCHAR, task_run_id "
                           "VARCHAR, document_id VARCHAR, step VARCHAR NOT NULL, model VARCHAR NOT NULL, input_tokens "
                           "INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER DEFAULT 0 "
                           "NOT NULL, cost_usd FLOAT NOT NULL, created_at DATETIME NOT NULL)")
        connection.execute("INSERT INTO model_usage (step, model, input_tokens, output_tokens, cost_usd, created_at) "
                           "VALUES ('review', 'm', 10, 5, 0.5, '2025-03-01 10:00:00.000000')")
    monkeypatch.setenv("AGENTIC_DATABASE_URL", f"sqlite:///{database}")

    report = _costs(agentic, "--by", "pipeline,day")
    assert _by(report, "pipeline", "day") == {("unknown", "2025-03-01"): {
        "calls": 1, "input_tokens": 10, "output_tokens": 5, "cached_input_tokens": 0, "cost_usd": 0.5}}
