"""IPv6 addresses that carry an IPv4 address are judged by the IPv4 address they carry.

The attacker's finding: an allow-list entry covering ::ffff:0:0/96 (or ::/0) opened IPv4 loopback and private
addresses through [::ffff:a.b.c.d] (it reached [::ffff:127.0.0.1]), and fec0::/10 (deprecated site-local) was not
refused on Python 3.11.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from agentic_kit._blocks.fetch_policy import FetchPolicy, carried_ipv4, forbidden_reason
from agentic_kit._domain.errors import FetchRefused
from agentic_kit.testing.page_server import Page, PageServer
from tasks.research.fetch import fetch_text

LOOPBACK_CARRIERS = ["[::ffff:127.0.0.1]", "[::127.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::7f00:1]"]
"""127.0.0.1 as IPv4-mapped, IPv4-compatible, 6to4 and NAT64 addresses."""
WITHOUT_LOOPBACK = [
    [],
    ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"],
    ["intranet.example", "*.corp.example", "localhost"],
    ["127.0.0.2", "127.0.0.1:8080", "128.0.0.0/1"],
    ["::1", "[::1]:80", "fd00::/8", "fe80::/10", "fec0::/10"],
    ["::ffff:8.8.8.8", "[::ffff:93.184.216.0/120]:80", "2002:808:808::/48", "64:ff9b::808:808"],
]
"""Allow-lists that do not list 127.0.0.1 (on port 80), each of them valid."""
REFUSED_AT_BUILD = [
    ("::/0", "IPv4-mapped addresses (::ffff:0:0/96) carrying 0.0.0.0/0, which holds 127.0.0.0/8 (loopback)"),
    ("::ffff:0:0/96", "IPv4-mapped addresses (::ffff:0:0/96) carrying 0.0.0.0/0, which holds 127.0.0.0/8 (loopback)"),
    ("[::ffff:0:0/96]:80", "carrying 0.0.0.0/0, which holds 127.0.0.0/8 (loopback)"),
    ("::ffff:127.0.0.1", "IPv4-mapped addresses (::ffff:0:0/96) carrying 127.0.0.1 (a loopback address)"),
    ("::ffff:10.0.0.0/104", "carrying 10.0.0.0/8, which holds 10.0.0.0/8 (private)"),
    ("::/96", "IPv4-compatible addresses (::/96) carrying 0.0.0.0/0"),
    ("::127.0.0.1", "IPv4-compatible addresses (::/96) carrying 127.0.0.1 (a loopback address)"),
    ("2002::/16", "6to4 addresses (2002::/16) carrying 0.0.0.0/0, which holds 127.0.0.0/8 (loopback)"),
    ("2000::/3", "6to4 addresses (2002::/16) carrying 0.0.0.0/0"),
    ("2002:c0a8::/32", "6to4 addresses (2002::/16) carrying 192.168.0.0/16, which holds 192.168.0.0/16 (private)"),
    ("64:ff9b::/96", "NAT64 addresses (64:ff9b::/96) carrying 0.0.0.0/0, which holds 127.0.0.0/8 (loopback)"),
    ("[64:ff9b::a00:1]:443", "NAT64 addresses (64:ff9b::/96) carrying 10.0.0.1 (a private address)"),
]


async def _unresolvable(host: str, port: int) -> list[str]:
    raise AssertionError(f"a literal address is not looked up, yet {host} was")


@pytest.mark.parametrize("allowed", WITHOUT_LOOPBACK, ids=lambda allowed: ",".join(allowed) or "public-only")
@pytest.mark.parametrize("literal", LOOPBACK_CARRIERS)
async def test_loopback_carried_in_ipv6_is_refused_under_every_allow_list_without_127_0_0_1(
    literal: str, allowed: list[str]
) -> None:
    with pytest.raises(FetchRefused, match=r"wrapping a loopback address; add 127\.0\.0\.1:80 to the fetch policy"):
        await FetchPolicy(allowed_hosts=allowed).checked_address(literal, 80, _unresolvable)


@pytest.mark.parametrize("literal", LOOPBACK_CARRIERS)
async def test_an_allow_list_listing_127_0_0_1_opens_it_however_it_is_written(literal: str) -> None:
    for allowed in (["127.0.0.1"], ["127.0.0.0/8:80"], ["0.0.0.0/0"]):
        assert await FetchPolicy(allowed_hosts=allowed).checked_address(literal, 80, _unresolvable)


@pytest.mark.parametrize(("entry", "opens"), REFUSED_AT_BUILD)
def test_an_entry_opening_loopback_or_private_space_through_carried_addresses_is_refused_when_built(
    entry: str, opens: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        FetchPolicy(allowed_hosts=["intranet.example", entry])
    message = str(refused.value)
    assert f"allowed_hosts entry {entry!r} is refused: it opens" in message and opens in message
    assert "judged by the IPv4 address it carries, so list that IPv4 address or network" in message


@pytest.mark.parametrize("literal", ["[fec0::1]", "[fec0:1:2::3]", "[feff:ffff::1]"])
async def test_deprecated_site_local_addresses_are_refused(literal: str) -> None:
    for allowed in ([], ["fd00::/8"], ["*.corp.example", "10.0.0.0/8"]):
        with pytest.raises(FetchRefused, match="a deprecated site-local address"):
            await FetchPolicy(allowed_hosts=allowed).checked_address(literal, 443, _unresolvable)
    assert await FetchPolicy(allowed_hosts=["fec0::/10"]).checked_address(literal, 443, _unresolvable), \
        "listed on purpose, it is reached"


@pytest.mark.parametrize(("address", "kind", "carried", "reason"), [
    ("::ffff:10.1.2.3", "IPv4-mapped", "10.1.2.3", "an IPv4-mapped IPv6 address wrapping a private address"),
    ("::ffff:8.8.8.8", "IPv4-mapped", "8.8.8.8", "an IPv4-mapped IPv6 address"),
    ("::a01:203", "IPv4-compatible", "10.1.2.3", "an IPv4-compatible address wrapping a private address"),
    ("64:ff9b::a9fe:101", "NAT64", "169.254.1.1", "a NAT64 address wrapping a link-local address"),
    ("64:ff9b::808:808", "NAT64", "8.8.8.8", None),
    ("2002:c0a8:101::1", "6to4", "192.168.1.1", "a 6to4 address wrapping a private address"),
    ("2002:808:808::1", "6to4", "8.8.8.8", None),
    ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254", "a cloud metadata address"),
    ("::a9fe:a9fe", "IPv4-compatible", "169.254.169.254", "a cloud metadata address"),
])
def test_a_carried_address_decides(address: str, kind: str, carried: str, reason: str | None) -> None:
    ip = ipaddress.ip_address(address)
    assert carried_ipv4(ip) == (kind, ipaddress.IPv4Address(carried))
    assert forbidden_reason(ip) == reason


def test_loopback_and_unspecified_ipv6_are_themselves() -> None:
    assert carried_ipv4(ipaddress.ip_address("::1")) is None and carried_ipv4(ipaddress.ip_address("::")) is None
    assert forbidden_reason(ipaddress.ip_address("::1")) == "a loopback address"
    assert FetchPolicy(allowed_hosts=["::1", "[::1]:8080"]).allowed_hosts == ["::1", "[::1]:8080"]


async def test_cloud_metadata_carried_in_ipv6_is_never_reached() -> None:
    policy = FetchPolicy(allowed_hosts=["0.0.0.0/0", "169.254.0.0/16"])
    for literal in ("[64:ff9b::a9fe:a9fe]", "[::169.254.169.254]", "[2002:a9fe:a9fe::]", "[::ffff:169.254.170.2]"):
        with pytest.raises(FetchRefused, match="cloud metadata"):
            await policy.checked_address(literal, 80, _unresolvable)


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer({"/notes.txt": Page(b"Plain notes about heat pumps.", "text/plain; charset=utf-8")}) as server:
        yield server


async def test_a_page_on_127_0_0_1_is_not_reached_through_an_ipv4_mapped_url(pages: PageServer) -> None:
    port = pages.url().rsplit(":", 1)[1].rstrip("/")
    mapped = f"http://[::ffff:127.0.0.1]:{port}/notes.txt"
    for allowed in ([], ["10.0.0.0/8"], ["::1"]):
        with pytest.raises(FetchRefused, match=f"wrapping a loopback address; add 127.0.0.1:{port}"):
            await fetch_text(mapped, FetchPolicy(allowed_hosts=allowed))
    assert pages.log.count() == 0, "a refused fetch never connects"
    page = await fetch_text(mapped, FetchPolicy(allowed_hosts=[f"127.0.0.1:{port}"]))
    assert page.text == "Plain notes about heat pumps.", "listed, it is reached (as 127.0.0.1, the address judged)"
