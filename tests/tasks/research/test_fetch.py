"""The fetch tool against pages served on 127.0.0.1: forbidden addresses, redirects, limits, HTML to text."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator

import pytest

from agentic_kit._blocks.fetch_policy import FetchPolicy
from agentic_kit._domain.errors import CallTimedOut, FetchRefused, RequestRejected, UpstreamUnavailable
from agentic_kit._domain.settings import Settings
from agentic_kit.testing.page_server import Page, PageServer, encoded, gzip_bomb, redirect
from deployments.run_research import allow_sample_pages, sample_pages
from tasks.research.fetch import fetch_text
from tests.conftest import run_python

ARTICLE = b"""<html><head><title>Heat pumps</title><script>var tracking = 1;</script></head>
<body><nav>Home | About | Contact</nav><article><h1>Heat pumps</h1>
<p>An air-source heat pump delivers about three units of heat for each unit of electricity it uses.</p>
<p>Installers in Bristol report that running costs fell by a third after the switch from gas boilers.</p>
</article><footer>Copyright 2026</footer></body></html>"""
LOCAL = FetchPolicy(allowed_hosts=["127.0.0.1"])
MiB = 1 << 20
BOMB_DECODED_BYTES = 64 * MiB
"""Zeros inside the single-gzip bomb: about 65 KB on the wire."""
STACKED_DECODED_BYTES = 512 * MiB
"""Zeros inside the `gzip, gzip` bomb: 980 bytes on the wire; it grew the process by about 1 GiB before the fix."""
BOMB_LIMIT = 1 * MiB
PEAK_GROWTH_BOUND_KIB = 16 * 1024
"""What one refused bomb may add to the fetching process's peak memory (before the fix: 130 MiB and 1 GiB)."""


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


def test_a_compressed_bomb_is_refused_at_the_limit_and_costs_about_the_limit() -> None:
    single, stacked = gzip_bomb(BOMB_DECODED_BYTES), gzip_bomb(STACKED_DECODED_BYTES, layers=2)
    assert len(single) < 70_000 and len(stacked) < 1_000, "both fit in the limit on the wire"
    with PageServer({"/bomb": encoded(single, "gzip"), "/stacked": encoded(stacked, "gzip, gzip")}) as server:
        port = server.url().rsplit(":", 1)[1].rstrip("/")
        done = run_python("-m", "tests.support.fetch_peak", str(BOMB_LIMIT), f"127.0.0.1:{port}",
                          server.url("/bomb"), server.url("/stacked"))
    assert done.returncode == 0, done.stderr
    bomb, stack = (json.loads(line) for line in done.stdout.splitlines())
    assert bomb["outcome"].startswith("FetchRefused: ") and "over the limit of 1,048,576 bytes" in bomb["outcome"]
    assert "decoded from gzip" in bomb["outcome"]
    assert stack["outcome"].startswith("FetchRefused: ") and "encoded 2 times over (gzip, gzip)" in stack["outcome"]
    for fetch in (bomb, stack):
        assert fetch["peak_growth_kib"] < PEAK_GROWTH_BOUND_KIB, fetch


async def test_one_gzip_or_deflate_layer_is_read_and_other_encodings_are_refused() -> None:
    text = b"Heat pumps move heat instead of making it. " * 20
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    with PageServer({
        "/gzip": encoded(gzip.compress(text), "gzip", "text/plain"),
        "/deflate": encoded(zlib.compress(text), "deflate", "text/plain"),
        "/raw-deflate": encoded(raw_deflate.compress(text) + raw_deflate.flush(), "deflate", "text/plain"),
        "/just-over": encoded(gzip.compress(bytes(BOMB_LIMIT + 1)), "gzip", "text/plain"),
        "/twice": encoded(gzip.compress(gzip.compress(text)), "gzip, gzip", "text/plain"),
        "/unknown": encoded(text, "x-squeeze", "text/plain"),
        "/br": encoded(text, "br", "text/plain"),
        "/corrupt": encoded(b"\x1f\x8b not gzip at all", "gzip", "text/plain"),
    }) as server:
        policy = LOCAL.model_copy(update={"max_bytes": BOMB_LIMIT})
        for path in ("/gzip", "/deflate", "/raw-deflate"):
            assert (await fetch_text(server.url(path), policy)).text == text.decode(), path
        with pytest.raises(FetchRefused, match=r"over the limit of 1,048,576 bytes \(decoded from gzip\)"):
            await fetch_text(server.url("/just-over"), policy)
        with pytest.raises(FetchRefused, match=r"encoded 2 times over \(gzip, gzip\)"):
            await fetch_text(server.url("/twice"), policy)
        with pytest.raises(FetchRefused, match="content encoding x-squeeze is not one the fetch tool reads"):
            await fetch_text(server.url("/unknown"), policy)
        with pytest.raises(FetchRefused, match="content encoding br is not one"):  # httpx has no brotli here
            await fetch_text(server.url("/br"), policy)
        with pytest.raises(FetchRefused, match="not valid gzip data"):
            await fetch_text(server.url("/corrupt"), policy)


async def test_a_host_name_with_an_overlong_label_is_refused_not_a_unicode_error() -> None:
    url = f"http://{'a' * 300}.example/page"
    with pytest.raises(FetchRefused, match="not a host name: one of its labels is 300 characters long"):
        await fetch_text(url, FetchPolicy())
    with pytest.raises(FetchRefused, match="not a host name: the name is 263 characters long"):
        await fetch_text(f"http://{'.'.join(['a' * 63] * 4)}.example/", FetchPolicy())


@pytest.mark.parametrize("charset", ["x-no-such-charset", "base64", "idna"])
async def test_an_unknown_or_unusable_charset_is_read_as_utf8(charset: str) -> None:
    """Chosen: fall back to UTF-8 with replacement, not refuse, as the text stays readable."""
    with PageServer({"/notes": Page("Café notes \u2014 heat pumps.".encode(), f"text/plain; charset={charset}")}) as s:
        page = await fetch_text(s.url("/notes"), LOCAL)
    assert page.text == "Café notes \u2014 heat pumps."


async def test_make_research_opens_only_the_sample_server_port(pages: PageServer,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_FETCH_ALLOWED_HOSTS", "intranet.example")
    with sample_pages(1) as [sample]:
        allow_sample_pages([sample])
        port = sample.rsplit(":", 1)[1].split("/", 1)[0]
        assert Settings().fetch_allow_list == ["intranet.example", f"127.0.0.1:{port}"]
        policy = FetchPolicy.from_environment()
        assert (await fetch_text(sample, policy)).text.strip()
        other = pages.url("/article")
        other_port = other.rsplit(":", 1)[1].split("/", 1)[0]
        with pytest.raises(FetchRefused, match=f"add 127.0.0.1:{other_port} to the fetch policy's allowed_hosts"):
            await fetch_text(other, policy)
        with pytest.raises(FetchRefused, match="loopback"):
            await fetch_text("http://127.0.0.1:4200/api/health", policy)
    assert pages.log.count() == 0, "another loopback port is never connected to"


async def test_a_refusal_names_the_url_without_its_userinfo_or_query_values(pages: PageServer) -> None:
    url = pages.url("/gone").replace("http://", "http://reader:pa55word@") + "?token=t0ken&page=2"
    with pytest.raises(RequestRejected) as gone:
        await fetch_text(url, LOCAL)
    with pytest.raises(FetchRefused) as image:
        await fetch_text(pages.url("/image.png") + "?sig=t0ken", LOCAL)
    messages = [str(gone.value), str(image.value)]
    assert "http://***@127.0.0.1:" in messages[0] and "?token=***&page=***" in messages[0]
    assert all("pa55word" not in message and "t0ken" not in message for message in messages)
