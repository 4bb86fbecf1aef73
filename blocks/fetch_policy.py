"""The fetch-policy block: which addresses the fetch tool may reach, and its redirect, time and size limits.

Every name is resolved once and every address it resolves to is checked before anything connects:
loopback, private, link-local, multicast, reserved, unspecified, shared (CGNAT), cloud metadata and
IPv4-mapped IPv6 addresses are refused, so are 6to4 addresses wrapping a refused IPv4 address. The
allow-list lets a user reach an internal host on purpose.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Annotated

from prefect.blocks.core import Block
from pydantic import Field

from domain.errors import FetchRefused
from domain.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Turns a host name and port into IP address strings (the system's getaddrinfo by default)."""

CLOUD_METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",  # Oracle Cloud (classic)
))
_ADDRESS_CLASSES: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("loopback", lambda a: a.is_loopback),
    ("unspecified", lambda a: a.is_unspecified),
    ("link-local", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("private", lambda a: a.is_private),
    ("not globally reachable", lambda a: not a.is_global),
)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why the fetch tool must not connect to this address, or None when it is a public one."""
    if address in CLOUD_METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        if address.sixtofour is not None and (inner := forbidden_reason(address.sixtofour)):
            return f"a 6to4 address wrapping {inner}"
    return next((f"a {name} address" for name, test in _ADDRESS_CLASSES if test(address)), None)


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for host, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class FetchPolicy(Block):
    """What the fetch tool may read: public addresses plus an allow-list, within redirect, time and size limits."""

    _block_type_name = "Fetch Policy"
    _description = "Addresses the research pipeline's fetch tool may reach, and its limits."

    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Internal hosts it may reach on purpose: names (intranet.example, *.corp.example), "
                    "addresses (10.1.2.3) or networks (10.1.0.0/16).",
    )
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    timeout_seconds: Annotated[float, Field(gt=0)] = 15.0
    """The longest one fetch may take, redirects included."""
    max_bytes: Annotated[int, Field(gt=0)] = 2_000_000
    """A page larger than this is refused."""

    @classmethod
    def from_environment(cls) -> FetchPolicy:
        """The policy AGENTIC_FETCH_ALLOWED_HOSTS (comma-separated) describes; public addresses only without it."""
        return cls(allowed_hosts=Settings().fetch_allow_list)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether the allow-list names this host, or a network holding this address."""
        host = host.lower().strip("[]")
        for entry in (e.lower().strip("[]") for e in self.allowed_hosts):
            if entry == host or (entry.startswith("*.") and host.endswith(entry[1:])):
                return True
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False

    async def checked_address(self, host: str, port: int, resolve: Resolver = system_resolver) -> IPAddress:
        """Resolve host once and return the address to connect to; refuse when any address is forbidden."""
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in await resolve(host, port)]
            except OSError as exc:
                raise FetchRefused(f"{host} does not resolve: {exc}") from exc
        if not addresses:
            raise FetchRefused(f"{host} resolves to no address")
        for address in addresses:
            reason = forbidden_reason(address)
            if reason and not self.allows(host, address):
                raise FetchRefused(f"{host} resolves to {address}, {reason}; add it to the fetch policy's "
                                   "allowed_hosts to reach it on purpose")
        return addresses[0]
