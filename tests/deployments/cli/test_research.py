"""`agentic research` (make research's program): the research pipeline on the embedded default, offline, over the
sample pages; `--json` for scripts, and the same run again from cache in words."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

QUESTION = "What did Northwind Traders agree to buy, and for how much?"


@pytest.fixture
def restored_environment() -> Iterator[None]:
    """The program sets variables for the pipeline it runs in-process; later tests must not see them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("restored_environment")
def test_the_embedded_default_researches_the_sample_pages_and_says_where_the_report_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agentic: Callable[..., Result],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENTIC_FETCH_ALLOWED_HOSTS", raising=False)

    done = agentic("research", QUESTION, "--samples", "3", "--json")

    assert done.exit_code == 0, done.output
    outcome = json.loads(done.stdout)
    assert outcome["state"] == "Completed" and outcome["status"] == "complete"
    report = Path(outcome["report"]).read_text(encoding="utf-8")
    assert outcome["report"].startswith(str(tmp_path))
    assert "Written by the offline model" in report and "$62 million" in report
    assert "## Sources read" in report and "01-news-merger.txt" in report
    assert "enrich_entity(Northwind Traders)" in report, "the planner's tool call went to the bundled service"

    again = agentic("research", QUESTION, "--samples", "3")
    assert again.exit_code == 0, again.output
    assert f"report: {outcome['report']}" in again.stdout
    assert "research_runs" in again.stdout and "research-report" in again.stdout
    assert "0 model calls made" in again.stdout, "the same job again pays for nothing"
