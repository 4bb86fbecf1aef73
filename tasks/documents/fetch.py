"""Documents by URL: each read with the SSRF-guarded fetch (agentic_kit/_steps/web_fetch.py) and the fetch policy block, then
extracted by its content type like a file."""

from __future__ import annotations

import asyncio

from prefect import task
from prefect.runtime import task_run

from agentic_kit import (
    FETCH_FOR_THIS_RUN,
    READ_FORMATS,
    TOOL,
    WEB,
    FetchPolicy,
    fetch_body,
    observed_call,
    redacted_url,
)
from agentic_kit.models import Document, FetchedBody, Rejection
from tasks.documents.ingest import validated

READ_MEDIA_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/xhtml+xml",
    "application/octet-stream",
    "",
})
"""Media types read besides text/*: PDF, Word .docx, XHTML, and bodies whose type is unsaid (sniffed)."""
ACCEPT = ("text/html, application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, "
          "text/markdown, text/plain;q=0.9, text/*;q=0.8")


def _unreadable(content_type: str) -> str | None:
    """Why the pipeline does not read a media type (without parameters), or None when it does."""
    if content_type.startswith("text/") or content_type in READ_MEDIA_TYPES:
        return None
    return f"content type {content_type} is not one the pipeline reads ({READ_FORMATS})"


def _fetch_run_name() -> str:
    """The task-run name of a document fetch: its URL without userinfo or query values."""
    return f"fetch-document[{redacted_url(task_run.parameters['url'])}]"


@task(name="fetch-document", task_run_name=_fetch_run_name, **FETCH_FOR_THIS_RUN)
async def fetch_document(url: str, policy: FetchPolicy) -> FetchedBody:
    """One document's raw bytes and content type, read within the fetch policy."""
    async with observed_call(TOOL, "fetch_document", WEB, None):
        return await fetch_body(url, policy, _unreadable, ACCEPT)


async def ingest_urls(urls: list[str], policy: FetchPolicy, max_bytes: int,
                      max_characters: int | None = None) -> list[Document | Rejection]:
    """Fetch every URL and read it as a document; one that cannot be fetched or read is a rejection, in words."""

    async def one(url: str) -> Document | Rejection:
        state = await fetch_document(url, policy, return_state=True)
        if not state.is_completed():
            error = await state.aresult(raise_on_failure=False)
            return Rejection(source=redacted_url(url), error=f"not fetched: {error}")
        fetched: FetchedBody = await state.aresult()
        return validated(fetched.body, redacted_url(fetched.url), max_bytes, fetched.content_type, fetched.charset,
                         max_characters)

    return list(await asyncio.gather(*(one(url) for url in urls)))
