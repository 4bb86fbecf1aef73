"""The fetch policy: which addresses are forbidden and what the allow-list opens."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from agentic_kit._blocks.fetch_policy import FetchPolicy, forbidden_reason
from agentic_kit._domain.errors import FetchRefused


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "not globally reachable"),
    ("169.254.169.254", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("::ffff:127.0.0.1", "IPv4-mapped"),
    ("::ffff:8.8.8.8", "IPv4-mapped"),
    ("2002:a00:1::1", "6to4 address wrapping a private"),
])
def test_each_forbidden_class_is_named(address: str, reason: str) -> None:
    assert reason in (forbidden_reason(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"])
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address from its text."""
    return ipaddress.ip_address(text)


def test_the_allow_list_takes_names_wildcards_addresses_and_networks() -> None:
    policy = FetchPolicy(allowed_hosts=["intranet.example", "*.corp.example", "127.0.0.1", "10.1.0.0/16"])
    private = ip("10.9.9.9")
    assert policy.allows("INTRANET.example", private, 80)
    assert policy.allows("intranet.example.", private, 8443), "a trailing dot is the same name; no port: any port"
    assert policy.allows("wiki.corp.example", private, 443)
    assert not policy.allows("corp.example.evil", private, 443)
    assert policy.allows("localhost", ip("127.0.0.1"), 4200), "an address entry without a port opens every port"
    assert policy.allows("db.internal", ip("10.1.2.3"), 5432), "a network matches the address the name resolved to"
    assert not policy.allows("db.internal", private, 5432)


@pytest.mark.parametrize(("entry", "host", "address"), [
    ("intranet.example:8080", "intranet.example", "10.9.9.9"),
    ("*.corp.example:8080", "wiki.corp.example", "10.9.9.9"),
    ("127.0.0.1:8080", "127.0.0.1", "127.0.0.1"),
    ("[::1]:8080", "::1", "::1"),
    ("10.1.0.0/16:8080", "db.internal", "10.1.2.3"),
    ("[fd00::/16]:8080", "db.internal", "fd00::7"),
])
def test_an_entry_with_a_port_opens_that_port_only(entry: str, host: str, address: str) -> None:
    policy = FetchPolicy(allowed_hosts=[entry])
    assert policy.allows(host, ip(address), 8080)
    assert not policy.allows(host, ip(address), 80)
    assert not policy.allows(host, ip(address), 4200), "with 127.0.0.1:8080 listed, the Prefect server stays closed"


def test_a_network_entry_matches_only_addresses_inside_it() -> None:
    policy = FetchPolicy(allowed_hosts=["10.1.0.0/16:8080", "fd00::/16"])
    assert policy.allows("a.internal", ip("10.1.255.254"), 8080)
    assert not policy.allows("a.internal", ip("10.2.0.1"), 8080)
    assert policy.allows("b.internal", ip("fd00::1"), 22)
    assert not policy.allows("b.internal", ip("fd01::1"), 22)


async def test_an_address_entry_opens_a_name_that_resolves_to_it_on_its_port() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"db.internal": ["10.1.2.3"]}[host]

    policy = FetchPolicy(allowed_hosts=["10.1.2.3:8080"])
    assert str(await policy.checked_address("db.internal", 8080, resolver)) == "10.1.2.3"
    with pytest.raises(FetchRefused, match="private address; add db.internal:5432 to the fetch policy's allowed_hosts"):
        await policy.checked_address("db.internal", 5432, resolver)


async def test_a_cloud_metadata_address_is_never_allowed_whatever_the_allow_list_says() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"meta.corp.example": ["169.254.169.254"], "ecs.corp.example": ["169.254.170.2"]}[host]

    policy = FetchPolicy(allowed_hosts=["meta.corp.example", "*.corp.example", "169.254.0.0/16", "169.254.169.254:80",
                                        "0.0.0.0/0"])
    for host in ("meta.corp.example", "ecs.corp.example"):
        with pytest.raises(FetchRefused, match="a cloud metadata address: the fetch tool never reads one"):
            await policy.checked_address(host, 80, resolver)
    for literal in ("169.254.169.254", "[::ffff:169.254.169.254]", "[fd00:ec2::254]"):
        with pytest.raises(FetchRefused, match="cloud metadata"):
            await policy.checked_address(literal, 80, resolver)
    assert str(await policy.checked_address("169.254.10.10", 80, resolver)) == "169.254.10.10", "the rest is open"


@pytest.mark.parametrize("entry", [
    "intranet.example", "intranet.example:8080", "*.corp.example", "*.corp.example:443", "10.1.2.3", "10.1.2.3:8080",
    "fd00::1", "[fd00::1]", "[fd00::1]:8080", "10.1.0.0/16", "10.1.0.0/16:8080", "fd00::/16", "[fd00::/16]:8080",
    " Intranet.Example ", "xn--bcher-kva.example", "localhost",
])
def test_every_documented_form_is_accepted(entry: str) -> None:
    assert FetchPolicy(allowed_hosts=[entry]).allowed_hosts == [entry]


@pytest.mark.parametrize(("entry", "problem"), [
    ("bad entry!", "'bad entry!' is not a host name label"),
    ("intranet.example:http", "'http' is not a port"),
    ("intranet.example:0", "'0' is not a port"),
    ("10.1.2.3:70000", "'70000' is not a port"),
    ("[10.1.2.3]:80", "brackets hold an IPv6 address or network only"),
    ("[intranet.example]:80", "in brackets is not an IPv6 address"),
    ("10.1.2.256", "neither an IP address nor a host name"),
    ("10.1.0.0/33", "'10.1.0.0/33' is not a network"),
    ("a..b", "'' is not a host name label"),
    ("*.", "the name is empty"),
    ("", "the name is empty"),
    ("bücher.example", "IDN names as xn--"),
    ("http://intranet.example/", "is not a port"),
])
def test_an_invalid_entry_is_refused_when_the_block_is_built(entry: str, problem: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FetchPolicy(allowed_hosts=["intranet.example", entry])
    message = str(refused.value)
    assert f"allowed_hosts entry {entry!r} is not valid" in message and problem in message
    assert "Write it as one of: host, host:port, *.domain" in message and "10.1.0.0/16:8080" in message


async def test_every_resolved_address_must_pass() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"mixed.example": ["93.184.216.34", "10.0.0.1"], "public.example": ["93.184.216.34"]}[host]

    policy = FetchPolicy()
    assert str(await policy.checked_address("public.example", 80, resolver)) == "93.184.216.34"
    with pytest.raises(FetchRefused, match="resolves to 10.0.0.1, a private address"):
        await policy.checked_address("mixed.example", 80, resolver)


def test_the_environment_names_the_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_FETCH_ALLOWED_HOSTS", "127.0.0.1, intranet.example ,")
    assert FetchPolicy.from_environment().allowed_hosts == ["127.0.0.1", "intranet.example"]
