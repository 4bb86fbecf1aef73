"""`make research`'s program: the research pipeline on the embedded default, offline, over the sample pages."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployments.run_research import main


@pytest.fixture
def restored_environment() -> Iterator[None]:
    """The program sets variables for the pipeline it runs in-process; later tests must not see them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("restored_environment")
def test_the_embedded_default_researches_the_sample_pages_and_says_where_the_report_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGENTIC_FETCH_ALLOWED_HOSTS", raising=False)
    monkeypatch.setattr(sys, "argv", ["run_research", "What did Northwind Traders agree to buy, and for how much?",
                                      "--samples", "3"])

    with pytest.raises(SystemExit) as ended:
        main()

    out = capsys.readouterr().out
    assert ended.value.code == 0, out
    [report_line] = [line for line in out.splitlines() if line.startswith("report: ")]
    report = Path(report_line.removeprefix("report: ")).read_text(encoding="utf-8")
    assert report_line.startswith(f"report: {tmp_path}")
    assert "Written by the offline model" in report and "$62 million" in report
    assert "## Sources read" in report and "01-news-merger.txt" in report
    assert "enrich_entity(Northwind Traders)" in report, "the planner's tool call went to the bundled service"
    assert "research_runs" in out and "research-report" in out
