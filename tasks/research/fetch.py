"""The research fetch tool: read one web page as plain text, SSRF-safe (agentic_kit/_steps/web_fetch.py), with the tool-call
policy. Only text content types are read; HTML becomes its main text with trafilatura. A charset Python does not
know as a text encoding is read as UTF-8.
"""

from __future__ import annotations

from prefect import task
from prefect.runtime import task_run

from agentic_kit import (
    HTML_TYPES,
    TOOL,
    TOOL_CALL,
    WEB,
    FetchPolicy,
    FetchRefused,
    Resolver,
    fetch_body,
    html_main_text,
    observed_call,
    redacted_url,
    system_resolver,
)
from agentic_kit.models import FetchedPage
from tasks.research.limits import AgentKind, agent_turn

ACCEPT = "text/html, text/plain;q=0.9, text/*;q=0.8"
FALLBACK_CHARSET = "utf-8"


def _unreadable(content_type: str) -> str | None:
    """Why the tool does not read a media type (without parameters), or None when it does."""
    if content_type.startswith("text/") or content_type in HTML_TYPES:
        return None
    return f"content type {content_type or 'unknown'} is not text"


def _decoded_text(body: bytes, charset: str | None) -> str:
    """body in its declared charset; UTF-8 (bad bytes replaced) when that charset is not a text encoding here."""
    try:
        return body.decode(charset or FALLBACK_CHARSET, errors="replace")
    except (LookupError, UnicodeError):  # unknown (x-no-such-charset), not text (base64) or strict-only (idna)
        return body.decode(FALLBACK_CHARSET, errors="replace")


def page_text(body: bytes, content_type: str, charset: str | None) -> str:
    """The readable text of a page: HTML's main text via trafilatura, other text types as they are."""
    text = _decoded_text(body, charset)
    if content_type not in HTML_TYPES:
        return text
    return html_main_text(text)


async def fetch_text(url: str, policy: FetchPolicy, resolve: Resolver = system_resolver) -> FetchedPage:
    """Read one page as text within the policy; transport failures become our retryable errors."""
    fetched = await fetch_body(url, policy, _unreadable, ACCEPT, resolve)
    text = page_text(fetched.body, fetched.content_type, fetched.charset)
    if not text.strip():
        raise FetchRefused(f"{redacted_url(fetched.url)}: no readable text")
    return FetchedPage(url=fetched.url, requested_url=url, content_type=fetched.content_type, text=text)


def _fetch_run_name() -> str:
    """The task-run name of a fetch: its URL without userinfo or query values."""
    return f"fetch-page[{redacted_url(task_run.parameters['url'])}]"


@task(name="fetch-page", task_run_name=_fetch_run_name, **TOOL_CALL)
async def fetch_page(url: str, policy: FetchPolicy) -> FetchedPage:
    """The scraper: one page's text, in the scrapers' turn (the fetch policy bounds its time)."""
    async with agent_turn(AgentKind.SCRAPER), observed_call(TOOL, "fetch_page", WEB, None):
        return await fetch_text(url, policy)
