"""The Parquet export: one file a run, partitioned by date, holding the documents the run published and no other."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text as sql

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._domain.models.common import content_id
from flows.document_pipeline import document_pipeline
from tasks.documents.report import PipelineReport

TEXTS = [f"Report {n}: Amara Okafor of Northwind Traders Ltd met Contoso Pharma in Bristol on 2024-0{n + 1}-10."
         for n in range(3)]
IDS = [content_id(text) for text in TEXTS]


async def _run(texts: list[str]) -> tuple[str, PipelineReport]:
    state = await document_pipeline(texts=texts, sources=[f"report-{n}.txt" for n in range(len(texts))],
                                    return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport), state.message
    return str(state.state_details.flow_run_id), report


def _parquet_files(exports: Path) -> list[Path]:
    return sorted((exports / "parquet").rglob("*.parquet"))


async def test_a_run_writes_one_parquet_file_of_what_it_published(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTIC_EXPORT_FORMAT", "both")
    refused, *published = IDS
    with PipelineStore.from_environment().engine().begin() as connection:  # the store refuses one document's results
        connection.execute(sql(f"CREATE TRIGGER refuse_results BEFORE INSERT ON summaries WHEN "
                               f"NEW.document_id = '{refused}' BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    exports = isolated_state / "exports"

    run_id, report = await _run(TEXTS)

    assert report.count("processed") == 2 and report.count("failed") == 1
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    [path] = _parquet_files(exports)
    assert path == exports / "parquet" / f"date={day}" / f"{run_id}.parquet"
    batch = pd.read_parquet(path)
    assert sorted(batch["document_id"]) == sorted(published), "the compensated publish is not in the file"
    assert set(batch["flow_run_id"]) == {run_id} and batch["summary"].str.len().min() > 0
    assert batch["review_score"].notna().all()
    names = {entity["name"] for entity in json.loads(batch["entities"].iloc[0])}
    assert "Amara Okafor" in names, names
    assert {p.stem for p in exports.glob("*.jsonl")} == set(published), "both: the JSON-lines files too"
    dataset = pd.read_parquet(exports / "parquet")
    assert len(dataset) == 2 and set(dataset["date"].astype(str)) == {day}, "readable as a dataset partitioned by date"
    print(f"\nparquet: documents=3 published=2 compensated=1 rows={len(batch)} file={path.relative_to(exports)}")

    _, again = await _run(TEXTS[1:])
    assert again.usage.calls == 0, "already published: nothing to do"
    assert _parquet_files(exports) == [path], "a run that published nothing writes no file"
    pd.testing.assert_frame_equal(pd.read_parquet(path), batch)


async def test_the_default_format_writes_no_parquet(isolated_state: Path) -> None:
    _, report = await _run(TEXTS[:1])
    assert report.count("processed") == 1
    assert not (isolated_state / "exports" / "parquet").exists()
    assert [p.stem for p in (isolated_state / "exports").glob("*.jsonl")] == IDS[:1]
