"""Tool calls that need approval, decided by a person in a real browser: the paused run's page in the Prefect UI,
its resume form with the three waiting calls; the person approves refund, approves cancel_order with its arguments
edited, rejects change_plan with a message, and submits; the run completes, the tools ran accordingly and the
store holds the three decisions.

Playwright (from PyPI) drives Debian's chromium, as tests/flows/test_review_form_browser.py does, with its helpers:
the UI's login with the server's basic-auth string, the form's fields by label.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect
from prefect.utilities.urls import url_for

from tests.agents.test_approvals import (
    EDITED,
    QUESTION,
    REJECTION,
    RISKY,
    check_three_decisions,
    help_desk,
    made,
    paused_run,
)
from tests.flows import test_review_form_browser as review_form

CHROMIUM_ARGS, UI_TIMEOUT_MS, field, log_in = (review_form.CHROMIUM_ARGS, review_form.UI_TIMEOUT_MS,
                                                review_form._field, review_form._log_in)
chromium = review_form.chromium
"""Debian's chromium, or a skip when it is not installed and cannot be (the review form test's fixture)."""


@pytest.fixture(autouse=True)
def nothing_made_yet() -> None:
    made.clear()


async def choose(item: Locator, decision: str, message: str, arguments: dict[str, str] | None = None) -> None:
    """Choose a decision for one waiting call, write the message the agent reads and, if given, its new arguments."""
    await field(item, "Decision").locator("button.p-select-button__control").press("ArrowDown")  # opens the list
    await item.page.get_by_role("option", name=decision, exact=True).click()
    await expect(field(item, "Decision").locator(".p-select-button__value")).to_have_text(decision)
    await field(item, "Message").locator("textarea, input").first.fill(message)
    if arguments is not None:
        await edit_json(field(item, "Arguments"), arguments)


async def edit_json(json_field: Locator, value: dict[str, str]) -> None:
    """Replace what a JSON field (the UI's code editor) holds, as a person would."""
    editor = json_field.locator("textarea")
    await editor.fill(json.dumps(value))
    await expect(editor).to_have_value(json.dumps(value))


async def decide_in_the_form(page: Page, flow_run_url: str) -> None:
    """Open the run's page and its resume form; approve refund, edit cancel_order, reject change_plan; submit."""
    await log_in(page, flow_run_url.split("/runs/")[0])
    await page.goto(flow_run_url)
    await page.get_by_role("button", name="Resume").first.click()
    items = page.locator(".schema-form-property-array-item")
    await expect(items).to_have_count(len(RISKY))
    by_tool = {await field(item, "Tool").locator("textarea").input_value(): item for item in await items.all()}
    assert set(by_tool) == set(RISKY), "one form asks about the three calls of the turn"
    await choose(by_tool["refund"], "approve", "broken on arrival")
    await choose(by_tool["cancel_order"], "approve", "the replacement", arguments=EDITED)
    await choose(by_tool["change_plan"], "reject", REJECTION)
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_role("dialog")).to_have_count(0)


async def test_a_person_decides_three_tool_calls_in_the_ui_form_and_the_run_resumes_with_them(chromium: str) -> None:
    run = asyncio.create_task(help_desk(QUESTION, "ticket-b", return_state=True))
    flow_run_id, _ = await paused_run("help-desk")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)
            await decide_in_the_form(page, url_for("flow-run", obj_id=flow_run_id) or "")
            state = await asyncio.wait_for(run, timeout=60)
        finally:
            await browser.close()
            if not run.done():
                run.cancel()
    assert state.is_completed(), state.message
    check_three_decisions("ticket-b", flow_run_id, await state.aresult())
