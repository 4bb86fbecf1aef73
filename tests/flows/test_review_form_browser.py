"""The review form in a real browser: a person opens the paused run in the Prefect UI, approves one document,
edits one summary, rejects one, submits; the run resumes and the store holds the decisions.

Playwright (from PyPI) drives Debian's chromium; Playwright's own browser download is not used. The UI asks for
the server's basic-auth string on its login page, as it would ask a person.

On the way it takes the documentation's screenshots: the filled review form, the finished run's page with its task
graph and the run's result table. They go to docs/images/ with AGENTIC_WRITE_SCREENSHOTS=1 (to refresh them), else
to the test's temporary folder, so `make test` leaves the tree as it was.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
from sqlmodel import Session

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import SummaryRow
from agentic_kit._domain.models.common import content_id
from deployments.review_queue import WaitingReview, waiting_reviews
from flows.document_pipeline import document_pipeline
from tests.conftest import API_AUTH, REPO_ROOT
from tests.flows.test_review_gate import ALWAYS, TEXTS, _stored

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EDITED_SUMMARY = "Lukas Brandt signed with Halvorsen Analytics in Hamburg."
UI_TIMEOUT_MS = 30_000
DOCS_IMAGES = REPO_ROOT / "docs" / "images"
SCREENSHOTS = ("review-form.png", "run-graph.png", "artifacts.png")
GRAPH_SETTLE_MS = 2_000
"""The run graph is drawn on a canvas, node by node: time for it to finish before the picture is taken."""


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the screenshots go: docs/images/ with AGENTIC_WRITE_SCREENSHOTS=1, else the test's own folder."""
    if os.environ.get("AGENTIC_WRITE_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        return DOCS_IMAGES
    return tmp_path


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed by `make system-packages` when missing; the test skips when it cannot be."""
    if not shutil.which("chromium"):
        subprocess.run(["make", "-s", "system-packages"], check=False, cwd=REPO_ROOT, capture_output=True,
                       timeout=900)
    path = shutil.which("chromium")
    if not path:
        pytest.skip("chromium is not installed and `make system-packages` could not install it (it needs root and "
                    "Debian's package archive)")
    return path


async def _waiting_review(timeout: float = 60) -> WaitingReview:
    """The run waiting for review, as `agentic review list` sees it."""
    for _ in range(int(timeout * 2)):
        if reviews := await waiting_reviews():
            return reviews[0]
        await asyncio.sleep(0.5)
    raise AssertionError("no run paused for review")


def _field(item: Locator, label: str) -> Locator:
    """The form field of one document whose label starts with label."""
    return item.locator(".schema-form-property").filter(
        has=item.page.locator(".schema-form-property__label", has_text=re.compile(f"^{label}")))


async def _decide(item: Locator, decision: str, note: str, summary: str | None = None) -> None:
    """Choose a decision for one document, leave a note and, if given, replace its summary."""
    await _field(item, "Decision").locator("button.p-select-button__control").press("ArrowDown")  # opens the list
    await item.page.get_by_role("option", name=decision, exact=True).click()
    await expect(_field(item, "Decision").locator(".p-select-button__value")).to_have_text(decision)
    await _field(item, "Note").locator("textarea").fill(note)
    if summary is not None:
        await _field(item, "Summary").locator("textarea").fill(summary)


async def _log_in(page: Page, ui_root: str) -> None:
    """Type the server's basic-auth string into the UI's login page."""
    await page.goto(ui_root)
    await page.locator("input[type=password]").fill(API_AUTH)
    await page.get_by_role("button", name="Login").click()
    await expect(page.get_by_role("link", name="Runs").first).to_be_visible()


async def _review_in_the_form(browser: Browser, review: WaitingReview, screenshot: Path) -> Page:
    """Open the run's page, fill its review form as a person would, take its picture and submit it."""
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(UI_TIMEOUT_MS)
    await _log_in(page, review.url.split("/runs/")[0])
    await page.goto(review.url)
    await page.get_by_role("button", name="Resume").first.click()
    items = page.locator(".schema-form-property-array-item")
    await expect(items).to_have_count(len(TEXTS))
    by_document = {await _field(item, "Document Id").locator("textarea, input").input_value(): item
                   for item in await items.all()}
    approve, edit, reject = (by_document[content_id(text)] for text in TEXTS)
    await _decide(approve, "approve", "accurate")
    await _decide(edit, "approve", "shortened", summary=EDITED_SUMMARY)
    await _decide(reject, "reject", "wrong warehouse")
    await _picture_of_the_form(page, screenshot)
    await page.get_by_role("button", name="Submit").click()
    return page


async def _picture_of_the_form(page: Page, path: Path) -> None:
    """The filled form from its top (the first documents and their decisions), on a taller window, no field focused."""
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    await page.set_viewport_size({"width": 1400, "height": 1500})
    await page.locator(".schema-form-property-array-item").first.scroll_into_view_if_needed()
    await page.get_by_role("dialog").evaluate(
        "dialog => dialog.querySelectorAll('*').forEach(element => { element.scrollTop = 0; })")
    await page.wait_for_timeout(300)
    await page.screenshot(path=path)
    await page.set_viewport_size({"width": 1400, "height": 1000})


async def _screenshot_run_graph(page: Page, review: WaitingReview, path: Path) -> None:
    """Open the finished run's page and save a screenshot of its header, task graph and tabs."""
    await page.goto(review.url)
    await expect(page.locator(".flow-run-graph").first).to_be_visible()
    await expect(page.get_by_text("Completed").first).to_be_visible()
    await page.wait_for_timeout(GRAPH_SETTLE_MS)
    tabs = await page.get_by_text("Job Variables", exact=True).first.bounding_box()  # the last of the tabs
    height = (tabs["y"] + tabs["height"] + 16) if tabs else 1000
    await page.screenshot(path=path, clip={"x": 0, "y": 0, "width": 1400, "height": height})


async def _screenshot_result_table(page: Page, review: WaitingReview, path: Path) -> None:
    """Open the run's result-table artifact in the UI and save a screenshot of it."""
    async with get_client() as client:
        [artifact] = await client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[review.flow_run_id]),
            key=ArtifactFilterKey(any_=["document-pipeline-results"])))
    await page.set_viewport_size({"width": 1800, "height": 560})  # wide enough for every column of the table
    await page.goto(f"{page.url.split('/runs/')[0]}/artifacts/artifact/{artifact.id}")
    await expect(page.get_by_text("rejected by reviewer: wrong warehouse")).to_be_visible()
    await expect(page.get_by_text(review.flow_run_name, exact=True).first).to_be_visible()  # the run's link, loaded
    await expect(page.get_by_text(re.compile(r"^publish-report")).first).to_be_visible()  # and its task run's
    await page.screenshot(path=path)


async def test_a_reviewer_decides_in_the_ui_form_and_the_run_resumes_with_the_decisions(
    chromium: str, screenshots: Path
) -> None:
    form, graph, table = (screenshots / name for name in SCREENSHOTS)
    run = asyncio.create_task(document_pipeline(texts=TEXTS, review_threshold=ALWAYS, return_state=True))
    review = await _waiting_review()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await _review_in_the_form(browser, review, form)
            state = await asyncio.wait_for(run, timeout=60)
            await _screenshot_run_graph(page, review, graph)
            await _screenshot_result_table(page, review, table)
        finally:
            await browser.close()
    print(f"screenshots: {', '.join(str(path) for path in (form, graph, table))}")

    assert state.is_completed(), state.message
    rows = _stored()
    approved, edited, rejected = (rows[content_id(text)] for text in TEXTS)
    assert (approved.status, approved.review_decision, approved.reviewer_note) == ("processed", "approve", "accurate")
    assert (edited.status, edited.review_decision, edited.reviewer_note) == ("processed", "edit", "shortened")
    with Session(PipelineStore.from_environment().engine()) as session:
        assert session.get(SummaryRow, edited.id).summary == EDITED_SUMMARY
    assert (rejected.status, rejected.review_decision, rejected.reviewer_note) == \
        ("rejected", "reject", "wrong warehouse")
    for screenshot in (form, graph, table):
        assert screenshot.stat().st_size > 10_000, f"{screenshot.name}: a screenshot of a rendered page"
