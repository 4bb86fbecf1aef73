"""The fetch tool: read one web page as plain text, SSRF-safe, with the tool-call policy.

http and https only; the name is resolved once and checked by the fetch policy, and the connection
goes to that checked address (the URL's host is sent as the Host header and the TLS server name), so
there is no second lookup for DNS rebinding to slip through. Every redirect is checked the same way;
redirects, total time and bytes are limited; only text content types are read, and HTML becomes
text with trafilatura.
"""

from __future__ import annotations

import asyncio

import httpx
import trafilatura
from prefect import task

from blocks.fetch_policy import FetchPolicy, Resolver, system_resolver
from blocks.resilience.transport_errors import from_httpx, status_error
from domain import errors
from domain.errors import FetchRefused
from domain.models.research import FetchedPage
from tasks.policies import TOOL_CALL
from tasks.research.limits import AgentKind, agent_turn

USER_AGENT = "agentic-pipelines-research/0.1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_text(content_type: str) -> bool:
    """Whether a media type (without parameters) is one the tool reads."""
    return content_type.startswith("text/") or content_type in HTML_TYPES


def page_text(body: bytes, content_type: str, charset: str | None) -> str:
    """The readable text of a page: HTML's main text via trafilatura, other text types as they are."""
    text = body.decode(charset or "utf-8", errors="replace")
    if content_type not in HTML_TYPES:
        return text
    extracted = trafilatura.extract(text, include_comments=False, include_tables=True, favor_recall=True)
    return extracted or trafilatura.html2txt(text) or ""



async def _read_limited(response: httpx.Response, max_bytes: int, url: httpx.URL) -> bytes:
    """The body, refused as soon as it grows past max_bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"{url} is {int(declared):,} bytes, over the limit of {max_bytes:,}")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchRefused(f"{url} is over the limit of {max_bytes:,} bytes")
    return bytes(body)


async def _pinned_request(client: httpx.AsyncClient, url: httpx.URL, policy: FetchPolicy,
                          resolve: Resolver) -> httpx.Request:
    """A GET of url addressed to the IP the policy checked, with the original Host header and TLS name."""
    if url.scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"{url}: only http and https URLs are fetched, not {url.scheme or 'no scheme'}")
    if not url.host:
        raise FetchRefused(f"{url}: no host")
    address = await policy.checked_address(url.host, url.port or DEFAULT_PORTS[url.scheme], resolve)
    headers = {"Host": url.netloc.decode("ascii"), "User-Agent": USER_AGENT,
               "Accept": "text/html, text/plain;q=0.9, text/*;q=0.8"}
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request("GET", url.copy_with(host=str(address)), headers=headers, extensions=extensions)


async def _follow(url: str, policy: FetchPolicy, resolve: Resolver) -> FetchedPage:
    """Fetch url, checking every hop, until a page that is not a redirect."""
    current = httpx.URL(url)
    async with httpx.AsyncClient(timeout=policy.timeout_seconds, follow_redirects=False, trust_env=False) as client:
        for _ in range(policy.max_redirects + 1):
            request = await _pinned_request(client, current, policy, resolve)
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect:
                    current = current.join(response.headers["location"])
                    continue
                if not response.is_success:
                    raise status_error(response.status_code, response.headers.get("retry-after"), str(current))
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if not _is_text(content_type):
                    raise FetchRefused(f"{current}: content type {content_type or 'unknown'} is not text")
                body = await _read_limited(response, policy.max_bytes, current)
            finally:
                await response.aclose()
            text = page_text(body, content_type, response.charset_encoding)
            if not text.strip():
                raise FetchRefused(f"{current}: no readable text")
            return FetchedPage(url=str(current), requested_url=url, content_type=content_type, text=text)
    raise FetchRefused(f"{url}: more than {policy.max_redirects} redirects")


async def fetch_text(url: str, policy: FetchPolicy, resolve: Resolver = system_resolver) -> FetchedPage:
    """Read one page as text within the policy; transport failures become our retryable errors."""
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            return await _follow(url, policy, resolve)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise errors.CallTimedOut(f"{url}: no complete answer within {policy.timeout_seconds:g} s") from exc
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"{url}: not a valid URL ({exc})") from exc
    except httpx.TransportError as exc:
        raise from_httpx(exc, url) from exc


@task(name="fetch-page", task_run_name="fetch-page[{url}]", **TOOL_CALL)
async def fetch_page(url: str, policy: FetchPolicy) -> FetchedPage:
    """The scraper: one page's text, in the scrapers' turn (the fetch policy bounds its time)."""
    async with agent_turn(AgentKind.SCRAPER):
        return await fetch_text(url, policy)
