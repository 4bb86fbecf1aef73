"""The fetch tool against pages served on 127.0.0.1: forbidden addresses, redirects, limits, HTML to text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from blocks.fetch_policy import FetchPolicy
from domain.errors import CallTimedOut, FetchRefused, RequestRejected, UpstreamUnavailable
from fault_servers.page_server import Page, PageServer, redirect
from tasks.research.fetch import fetch_text

ARTICLE = b"""<html><head><title>Heat pumps</title><script>var tracking = 1;</script></head>
<body><nav>Home | About | Contact</nav><article><h1>Heat pumps</h1>
<p>An air-source heat pump delivers about three units of heat for each unit of electricity it uses.</p>
<p>Installers in Bristol report that running costs fell by a third after the switch from gas boilers.</p>
</article><footer>Copyright 2026</footer></body></html>"""
LOCAL = FetchPolicy(allowed_hosts=["127.0.0.1"])


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer({
        "/article": Page(ARTICLE),
        "/notes.txt": Page(b"Plain notes about heat pumps.", "text/plain; charset=utf-8"),
        "/moved": redirect("/article", 301),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-private-name": redirect("http://intranet.example/admin"),
        "/loop": redirect("/loop"),
        "/image.png": Page(b"\x89PNG\r\n\x1a\n", "image/png"),
        "/big": Page(b"<p>" + b"word " * 2000 + b"</p>"),
        "/broken": Page(b"oops", "text/plain", 500),
        "/gone": Page(b"gone", "text/plain", 410),
    }) as server:
        yield server


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", "loopback"),
    ("http://[::1]:8080/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://192.168.0.10/", "private"),
    ("http://169.254.10.10/", "link-local"),
    ("http://224.0.0.251/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://[::ffff:10.0.0.1]/", "IPv4-mapped"),
    ("file:///etc/passwd", "only http and https"),
    ("ftp://example.com/file.txt", "only http and https"),
    ("gopher://example.com/", "only http and https"),
])
async def test_forbidden_addresses_and_schemes_are_refused_before_connecting(url: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=reason):
        await fetch_text(url, FetchPolicy())


async def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"intranet.example": ["10.0.0.1"]}[host]

    with pytest.raises(FetchRefused, match="intranet.example resolves to 10.0.0.1, a private address"):
        await fetch_text("http://intranet.example/admin", FetchPolicy(), resolver)


async def test_a_local_page_is_read_only_when_the_allow_list_names_it(pages: PageServer) -> None:
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch_text(pages.url("/article"), FetchPolicy())
    assert pages.log.count() == 0, "a refused fetch never connects"

    page = await fetch_text(pages.url("/article"), LOCAL)
    assert "three units of heat" in page.text and "running costs fell" in page.text
    assert "tracking" not in page.text and "Home | About" not in page.text, "scripts and navigation are dropped"
    assert page.content_type == "text/html"
    plain = await fetch_text(pages.url("/notes.txt"), LOCAL)
    assert plain.text == "Plain notes about heat pumps." and plain.content_type == "text/plain"


async def test_the_connection_goes_to_the_checked_address_with_the_original_host(pages: PageServer) -> None:
    port = pages.url().rsplit(":", 1)[1].rstrip("/")
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    policy = FetchPolicy(allowed_hosts=["pages.test"])
    page = await fetch_text(f"http://pages.test:{port}/article", policy, resolver)
    assert "three units of heat" in page.text
    assert lookups == ["pages.test"], "one lookup, and the system resolver (which knows no pages.test) is never asked"
    assert pages.hosts == [f"pages.test:{port}"]


async def test_redirects_are_followed_and_each_hop_is_checked(pages: PageServer) -> None:
    page = await fetch_text(pages.url("/moved"), LOCAL)
    assert page.url == pages.url("/article") and page.requested_url == pages.url("/moved")
    with pytest.raises(FetchRefused, match="169.254.169.254.*cloud metadata"):
        await fetch_text(pages.url("/to-metadata"), LOCAL)

    async def resolver(host: str, port: int) -> list[str]:
        return {"127.0.0.1": ["127.0.0.1"], "intranet.example": ["10.0.0.1"]}[host]

    with pytest.raises(FetchRefused, match="intranet.example resolves to 10.0.0.1"):
        await fetch_text(pages.url("/to-private-name"), LOCAL, resolver)
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        await fetch_text(pages.url("/loop"), LOCAL.model_copy(update={"max_redirects": 3}))
    assert pages.log.count(key="/loop") == 4


async def test_limits_on_type_size_and_time_and_http_errors(pages: PageServer) -> None:
    with pytest.raises(FetchRefused, match="content type image/png is not text"):
        await fetch_text(pages.url("/image.png"), LOCAL)
    with pytest.raises(FetchRefused, match="over the limit of 1,000"):
        await fetch_text(pages.url("/big"), LOCAL.model_copy(update={"max_bytes": 1000}))
    with pytest.raises(UpstreamUnavailable):
        await fetch_text(pages.url("/broken"), LOCAL)
    with pytest.raises(RequestRejected, match="410"):
        await fetch_text(pages.url("/gone"), LOCAL)
    pages.latency = 1.0
    with pytest.raises(CallTimedOut):
        await fetch_text(pages.url("/article"), LOCAL.model_copy(update={"timeout_seconds": 0.3}))
