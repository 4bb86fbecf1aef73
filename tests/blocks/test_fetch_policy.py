"""The fetch policy: which addresses are forbidden and what the allow-list opens."""

from __future__ import annotations

import ipaddress

import pytest

from blocks.fetch_policy import FetchPolicy, forbidden_reason
from domain.errors import FetchRefused


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


def test_the_allow_list_takes_names_wildcards_addresses_and_networks() -> None:
    policy = FetchPolicy(allowed_hosts=["intranet.example", "*.corp.example", "127.0.0.1", "10.1.0.0/16"])
    private = ipaddress.ip_address("10.9.9.9")
    assert policy.allows("INTRANET.example", private)
    assert policy.allows("wiki.corp.example", private)
    assert not policy.allows("corp.example.evil", private)
    assert policy.allows("localhost", ipaddress.ip_address("127.0.0.1"))
    assert policy.allows("db.internal", ipaddress.ip_address("10.1.2.3"))
    assert not policy.allows("db.internal", private)


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
