"""Fetching a URL SSRF-safe: the transport both pipelines' fetch tools share.

http and https only; the name is resolved once and checked by the fetch policy, and the connection
goes to that checked address (the URL's host is sent as the Host header and the TLS server name), so
there is no second lookup for DNS rebinding to slip through. An IPv6 address carrying an IPv4 address is
judged by the IPv4 address it carries (fetch_policy.py), and an IPv4-mapped one is connected to as that
IPv4 address, so what is checked is what is reached. Every redirect is checked the same way;
redirects, total time and bytes are limited; only the content types the caller reads are read.

The byte limit counts decoded bytes as they are inflated, in pieces, so a compressed bomb costs about the
limit and no more; a body is read with one content coding at most (identity, gzip or deflate), a stacked
or unknown coding is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import zlib
from collections.abc import Callable, Iterator

import httpx

from agentic_kit._blocks.fetch_policy import FetchPolicy, Resolver, system_resolver
from agentic_kit._blocks.resilience.transport_errors import from_httpx, status_error
from agentic_kit._domain import errors
from agentic_kit._domain.errors import FetchRefused
from agentic_kit._domain.models.common import FetchedBody
from agentic_kit._domain.redaction import redacted_url

USER_AGENT = "agentic-pipelines/0.1"
DEFAULT_PORTS = {"http": 80, "https": 443}


def _shown(url: str | httpx.URL) -> str:
    """A URL as our messages show it: no userinfo, no query values."""
    return redacted_url(str(url))


IDENTITY = "identity"
ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""The content codings inflated here (br and zstd are not: httpx decodes them only with packages absent here)."""
RAW_DEFLATE_WBITS = -zlib.MAX_WBITS
"""Some servers send deflate without its zlib wrapper; httpx accepts that too."""
ACCEPT_ENCODING = ", ".join(ZLIB_WBITS)
DECODED_PIECE_BYTES = 64 * 1024
"""The most one inflating step produces, so the limit is checked every 64 KiB of decoded text."""
def content_coding(response: httpx.Response, url: httpx.URL) -> str:
    """The one content coding of the body (identity when none); stacked or unknown codings are refused."""
    codings = [c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)]
    codings = [c for c in codings if c]
    if len(codings) > 1:
        raise FetchRefused(f"{_shown(url)}: the body is encoded {len(codings)} times over ({', '.join(codings)}); the "
                           "fetch tool reads one content encoding at most, as a stack can inflate without bound")
    coding = codings[0] if codings else IDENTITY
    if coding != IDENTITY and coding not in ZLIB_WBITS:
        raise FetchRefused(f"{_shown(url)}: content encoding {coding} is not one the fetch tool reads "
                           f"({IDENTITY}, {ACCEPT_ENCODING})")
    return coding


class _Inflater:
    """Undoes one content coding at most DECODED_PIECE_BYTES a step, so a bomb never inflates past the limit."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._zlib = None if coding == IDENTITY else zlib.decompressobj(ZLIB_WBITS[coding])
        self._started = False

    def pieces(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next chunk from the wire."""
        if self._zlib is None:
            yield chunk
            return
        while chunk:
            yield self._step(chunk)
            chunk = self._zlib.unconsumed_tail

    def rest(self) -> bytes:
        """What is left once the wire has ended."""
        return self._zlib.flush() if self._zlib is not None else b""

    def _step(self, data: bytes) -> bytes:
        """One bounded inflating step; deflate without its zlib wrapper is retried raw, as httpx does."""
        assert self._zlib is not None, "pieces() passes identity bodies through without a step"
        started, self._started = self._started, True
        try:
            return self._zlib.decompress(data, DECODED_PIECE_BYTES)
        except zlib.error:
            if started or self.coding != "deflate":
                raise
            self._zlib = zlib.decompressobj(RAW_DEFLATE_WBITS)
            return self._zlib.decompress(data, DECODED_PIECE_BYTES)


def _within_limit(size: int, max_bytes: int, url: httpx.URL, what: str) -> None:
    """Refuse once size passes max_bytes (what: which bytes were counted)."""
    if size > max_bytes:
        raise FetchRefused(f"{_shown(url)} is over the limit of {max_bytes:,} bytes ({what}); raise the fetch policy's "
                           "max_bytes to read it")


async def _read_limited(response: httpx.Response, max_bytes: int, url: httpx.URL) -> bytes:
    """The decoded body, refused as soon as the bytes on the wire or the decoded bytes pass max_bytes."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"{_shown(url)} is {int(declared):,} bytes, over the limit of {max_bytes:,}")
    inflater = _Inflater(content_coding(response, url))
    body, received = bytearray(), 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            _within_limit(received, max_bytes, url, "on the wire")
            for piece in inflater.pieces(chunk):
                body += piece
                _within_limit(len(body), max_bytes, url, f"decoded from {inflater.coding}")
        body += inflater.rest()
    except zlib.error as exc:
        raise FetchRefused(f"{_shown(url)}: the body is not valid {inflater.coding} data ({exc})") from exc
    _within_limit(len(body), max_bytes, url, f"decoded from {inflater.coding}")
    return bytes(body)


async def _pinned_request(client: httpx.AsyncClient, url: httpx.URL, policy: FetchPolicy,
                          resolve: Resolver, accept: str) -> httpx.Request:
    """A GET of url addressed to the IP the policy checked, with the original Host header and TLS name."""
    if url.scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"{_shown(url)}: only http and https URLs are fetched, not {url.scheme or 'no scheme'}")
    if not url.host:
        raise FetchRefused(f"{_shown(url)}: no host")
    host = url.raw_host.decode("ascii")  # the ASCII (xn--) form an allow-list names and a resolver looks up
    address = await policy.checked_address(host, url.port or DEFAULT_PORTS[url.scheme], resolve)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # the address the kernel reaches through ::ffff:a.b.c.d, and was judged
    headers = {"Host": url.netloc.decode("ascii"), "User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING,
               "Accept": accept}
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request("GET", url.copy_with(host=str(address)), headers=headers, extensions=extensions)


async def _follow(url: str, policy: FetchPolicy, resolve: Resolver, readable: Callable[[str], str | None],
                  accept: str) -> FetchedBody:
    """Fetch url, checking every hop, until a response that is not a redirect."""
    current = httpx.URL(url)
    async with httpx.AsyncClient(timeout=policy.timeout_seconds, follow_redirects=False, trust_env=False) as client:
        for _ in range(policy.max_redirects + 1):
            request = await _pinned_request(client, current, policy, resolve, accept)
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect:
                    current = current.join(response.headers["location"])
                    continue
                if not response.is_success:
                    raise status_error(response.status_code, response.headers.get("retry-after"), _shown(current))
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if reason := readable(content_type):
                    raise FetchRefused(f"{_shown(current)}: {reason}")
                body = await _read_limited(response, policy.max_bytes, current)
            finally:
                await response.aclose()
            return FetchedBody(url=str(current), requested_url=url, content_type=content_type,
                               charset=response.charset_encoding, body=body)
    raise FetchRefused(f"{_shown(url)}: more than {policy.max_redirects} redirects")


async def fetch_body(url: str, policy: FetchPolicy, readable: Callable[[str], str | None], accept: str,
                     resolve: Resolver = system_resolver) -> FetchedBody:
    """Read one URL's body within the policy; `readable` says why a content type is not read (None: it is), and
    `accept` is the Accept header. Transport failures become our retryable errors."""
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            return await _follow(url, policy, resolve, readable, accept)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise errors.CallTimedOut(f"{_shown(url)}: no complete answer within {policy.timeout_seconds:g} s") from exc
    except httpx.InvalidURL as exc:
        raise FetchRefused(f"{_shown(url)}: not a valid URL ({exc})") from exc
    except httpx.TransportError as exc:
        raise from_httpx(exc, _shown(url)) from exc
