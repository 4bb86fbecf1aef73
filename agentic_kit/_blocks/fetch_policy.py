"""The fetch-policy block: which addresses the fetch tool may reach, and its redirect, time and size limits.

Every name is resolved once and every address it resolves to is checked before anything connects:
loopback, private, link-local, deprecated site-local (fec0::/10), multicast, reserved, unspecified, shared
(CGNAT), cloud metadata and IPv4-mapped IPv6 addresses are refused. The allow-list lets a user reach an
internal host on purpose, by name or by the address the name resolves to, on any port or on one; a cloud
metadata address is never reached, whatever the allow-list says.

An IPv6 address that carries an IPv4 address reaches that IPv4 address (the kernel for IPv4-mapped
::ffff:a.b.c.d, a relay or gateway for IPv4-compatible ::a.b.c.d, 6to4 2002::/16 and NAT64 64:ff9b::/96), so it
is judged by the IPv4 address it carries: refused when that one is, and opened by the allow-list only where the
allow-list opens that IPv4 address. An allow-list entry that would open loopback or private space through such
addresses (::ffff:0:0/96, ::/0, 2002::/16 …) is refused when the block is built, naming the entry and what it
would open: to reach 127.0.0.1 on purpose, the allow-list says 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from prefect.blocks.core import Block
from pydantic import Field, field_validator

from agentic_kit._domain.errors import FetchRefused
from agentic_kit._domain.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
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
    # fec0::/10, deprecated by RFC 3879: Python 3.11 calls it global, but it is an internal network's space
    ("deprecated site-local", lambda a: isinstance(a, ipaddress.IPv6Address) and a.is_site_local),
    ("not globally reachable", lambda a: not a.is_global),
)
IPV4_CARRIERS: tuple[tuple[str, ipaddress.IPv6Network, int], ...] = (
    ("IPv4-mapped", ipaddress.IPv6Network("::ffff:0:0/96"), 0),
    ("IPv4-compatible", ipaddress.IPv6Network("::/96"), 0),
    ("NAT64", ipaddress.IPv6Network("64:ff9b::/96"), 0),
    ("6to4", ipaddress.IPv6Network("2002::/16"), 80),
)
"""IPv6 prefixes whose addresses carry an IPv4 address, each with how many low bits follow the 32 carried ones."""
IPV6_LOOPBACK_AND_UNSPECIFIED = ipaddress.IPv6Network("::/127")
"""::1 and :: are themselves, not IPv4-compatible addresses of 0.0.0.1 and 0.0.0.0."""
NON_PUBLIC_IPV4 = tuple(ipaddress.IPv4Network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
    "0.0.0.0/8", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
))
"""The IPv4 space forbidden_reason refuses (loopback and private first, as a refusal names the first it meets)."""


MAX_NAME_CHARACTERS = 253
MAX_LABEL_CHARACTERS = 63
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
"""One label of a host name in its ASCII form (an internationalised name is written xn--…)."""
MAX_PORT = 65535
SHOWN_HOST_CHARACTERS = 80
"""How much of an overlong host name an error message quotes."""
ENTRY_FORMS = (
    "host, host:port, *.domain, *.domain:port, an address (10.1.2.3, fd00::1), address:port (10.1.2.3:8080, "
    "[fd00::1]:8080), a network (10.1.0.0/16, fd00::/16) or network:port (10.1.0.0/16:8080, [fd00::/16]:8080)"
)
"""The forms an allow-list entry may take; an entry without a port opens every port."""
_BRACKETED = re.compile(r"\[(?P<inner>[^\]]*)\](?::(?P<port>.*))?")


def carried_ipv4(address: IPAddress) -> tuple[str, ipaddress.IPv4Address] | None:
    """The kind of IPv6 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) and the IPv4 address it carries, or
    None when it carries none (an IPv4 address, or any other IPv6 address)."""
    if not isinstance(address, ipaddress.IPv6Address) or address in IPV6_LOOPBACK_AND_UNSPECIFIED:
        return None
    for kind, prefix, low_bits in IPV4_CARRIERS:
        if address in prefix:
            return kind, ipaddress.IPv4Address((int(address) >> low_bits) & 0xFFFFFFFF)
    return None


def is_cloud_metadata(address: IPAddress) -> bool:
    """Whether address is a cloud metadata address, also when carried by an IPv6 address (IPv4-mapped,
    IPv4-compatible, NAT64 or 6to4)."""
    if (carried := carried_ipv4(address)) is not None and carried[1] in CLOUD_METADATA_ADDRESSES:
        return True
    return address in CLOUD_METADATA_ADDRESSES


def _carried_network(network: ipaddress.IPv6Network, prefix: ipaddress.IPv6Network,
                     low_bits: int) -> ipaddress.IPv4Network | None:
    """The IPv4 addresses that the addresses of network inside prefix carry, or None when it has none there."""
    if not network.overlaps(prefix):
        return None
    inside = network if network.subnet_of(prefix) else prefix
    first_carried_bit = 128 - 32 - low_bits
    length = min(max(inside.prefixlen - first_carried_bit, 0), 32)
    return ipaddress.IPv4Network(((int(inside.network_address) >> low_bits) & 0xFFFFFFFF, length), strict=False)


def opened_through_carriers(network: IPNetwork) -> str | None:
    """What loopback or private IPv4 space an allow-list network would open through IPv6 addresses carrying an
    IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4), or None when it opens none."""
    if not isinstance(network, ipaddress.IPv6Network):
        return None
    for kind, prefix, low_bits in IPV4_CARRIERS:
        if kind == "IPv4-compatible" and network.subnet_of(IPV6_LOOPBACK_AND_UNSPECIFIED):
            continue
        carried = _carried_network(network, prefix, low_bits)
        if carried is None:
            continue
        if carried.num_addresses == 1:
            reason = forbidden_reason(carried.network_address)
            if reason:
                return f"it opens {kind} addresses ({prefix}) carrying {carried.network_address} ({reason})"
            continue
        if space := next((space for space in NON_PUBLIC_IPV4 if carried.overlaps(space)), None):
            space_name = (forbidden_reason(space.network_address) or "").removeprefix("a ").removesuffix(" address")
            return f"it opens {kind} addresses ({prefix}) carrying {carried}, which holds {space} ({space_name})"
    return None


def name_problem(name: str) -> str | None:
    """What makes name (lowercase, ASCII) not a host name, or None when it is one."""
    name = name.removesuffix(".")
    if not name:
        return "the name is empty"
    labels = name.split(".")
    if too_long := next((label for label in labels if len(label) > MAX_LABEL_CHARACTERS), None):
        return (f"one of its labels is {len(too_long)} characters long, more than the {MAX_LABEL_CHARACTERS} "
                "a host name label may have")
    if len(name) > MAX_NAME_CHARACTERS:
        return f"the name is {len(name)} characters long, more than the {MAX_NAME_CHARACTERS} a host name may have"
    if (bad := next((label for label in labels if not _LABEL.fullmatch(label)), None)) is not None:
        return f"{bad!r} is not a host name label (letters, digits, hyphens and underscores; IDN names as xn--…)"
    if labels[-1].isdigit():
        return "it ends in a number, so it is neither an IP address nor a host name"
    return None


@dataclass(frozen=True)
class AllowEntry:
    """One allow-list entry: a name, a *.domain or a network (an address is a network of one), on a port or any."""

    name: str | None = None
    wildcard: bool = False
    network: IPNetwork | None = None
    port: int | None = None

    def matches(self, host: str, address: IPAddress, port: int) -> bool:
        """Whether this entry opens host (as the URL names it), resolved to address, on port."""
        if self.port is not None and port != self.port:
            return False
        if self.network is not None:
            return address in self.network
        if self.wildcard:
            return host.endswith(f".{self.name}")
        return host == self.name


def _split_port(entry: str) -> tuple[str, str | None, bool]:
    """An entry's host part, its port text (None without one) and whether the host part was in brackets."""
    if bracketed := _BRACKETED.fullmatch(entry):
        return bracketed["inner"], bracketed["port"], True
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, port, False
    return entry, None, False  # a name, an IPv4 address or network, or a bare IPv6 address or network


def _entry_port(text: str | None) -> int | None:
    """The port an entry names, or None; ValueError when it is not one."""
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_PORT:
        raise ValueError(f"{text!r} is not a port (a number from 1 to {MAX_PORT})")
    return int(text)


def _entry_host(host: str, bracketed: bool, port: int | None) -> AllowEntry:
    """The entry for a host part: a network (an address is one) or a name; ValueError when it is neither."""
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError as exc:
        if "/" in host:
            raise ValueError(f"{host!r} is not a network ({exc})") from None
        network = None
    if network is not None:
        if bracketed and network.version == 4:
            raise ValueError("brackets hold an IPv6 address or network only")
        return AllowEntry(network=network, port=port)
    if bracketed:
        raise ValueError(f"{host!r} in brackets is not an IPv6 address or network")
    wildcard = host.startswith("*.")
    name = host.removeprefix("*.").removesuffix(".")
    if problem := name_problem(name):
        raise ValueError(problem)
    return AllowEntry(name=name, wildcard=wildcard, port=port)


@lru_cache(maxsize=1024)
def parse_entry(text: str) -> AllowEntry:
    """One allow-list entry parsed; ValueError naming the entry and the accepted forms when it is none of them,
    or naming the entry and what it would open when it opens loopback or private IPv4 space through IPv6
    addresses that carry an IPv4 address."""
    try:
        host, port_text, bracketed = _split_port(text.strip().lower())
        entry = _entry_host(host, bracketed, _entry_port(port_text))
    except ValueError as exc:
        raise ValueError(f"allowed_hosts entry {text!r} is not valid: {exc}. Write it as one of: {ENTRY_FORMS}"
                         ) from None
    if entry.network is not None and (opened := opened_through_carriers(entry.network)):
        raise ValueError(f"allowed_hosts entry {text!r} is refused: {opened}; such an address is judged by the "
                         "IPv4 address it carries, so list that IPv4 address or network to reach it on purpose")
    return entry


def _shown(host: str) -> str:
    """host as an error message quotes it: cut short when it is overlong."""
    return host if len(host) <= SHOWN_HOST_CHARACTERS else f"{host[:SHOWN_HOST_CHARACTERS]}…"


def _literal(host: str) -> IPAddress | None:
    """The address a host written as an IP address literal names, or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _suggested_entry(host: str, port: int) -> str:
    """The allow-list entry that opens exactly host on port."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def forbidden_reason(address: IPAddress) -> str | None:
    """Why the fetch tool must not connect to this address, or None when it is a public one.

    An IPv6 address carrying an IPv4 address is judged by that one; an IPv4-mapped one is refused even when it
    carries a public address, as no public name resolves to one."""
    if is_cloud_metadata(address):
        return "a cloud metadata address"
    if (carried := carried_ipv4(address)) is not None:
        kind, inner_address = carried
        inner = forbidden_reason(inner_address)
        if kind == "IPv4-mapped":
            return f"an IPv4-mapped IPv6 address wrapping {inner}" if inner else "an IPv4-mapped IPv6 address"
        if inner:
            return f"a{'n' if kind[0] in 'AEIOU' else ''} {kind} address wrapping {inner}"
        return None
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
        description="Internal hosts it may reach on purpose. A name (intranet.example) or *.domain (*.corp.example: "
                    "its subdomains) matches the URL's host; an address (10.1.2.3, fd00::1) or network (10.1.0.0/16) "
                    "matches the address the name resolves to. Without a port an entry opens every port; with one "
                    "(intranet.example:8080, *.corp.example:443, 10.1.2.3:8080, [fd00::1]:8080, 10.1.0.0/16:8080, "
                    "[fd00::/16]:8080) only that port. Cloud metadata addresses are never reached.",
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

    @field_validator("allowed_hosts")
    @classmethod
    def _entries_are_valid(cls, entries: list[str]) -> list[str]:
        """Refuse, when the block is built or loaded, an entry that is none of the accepted forms."""
        for entry in entries:
            parse_entry(entry)
        return entries

    def allows(self, host: str, address: IPAddress, port: int) -> bool:
        """Whether an allow-list entry opens host, resolved to address, on port; an address carrying an IPv4
        address is opened by an entry that opens the IPv4 address (or by one naming it, carrying a public one)."""
        host = host.lower().strip("[]").removesuffix(".")
        carried = carried_ipv4(address)
        judged = (address,) if carried is None else (carried[1], address)
        return any(parse_entry(entry).matches(host, one, port) for entry in self.allowed_hosts for one in judged)

    async def checked_address(self, host: str, port: int, resolve: Resolver = system_resolver) -> IPAddress:
        """Resolve host once and return the address to connect to; refuse when any address is forbidden."""
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            if problem := name_problem(host.lower()):
                raise FetchRefused(f"{_shown(host)} is not a host name: {problem}; check the URL") from None
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in await resolve(host, port)]
            except (OSError, UnicodeError) as exc:
                raise FetchRefused(f"{host} does not resolve: {exc}") from exc
        if not addresses:
            raise FetchRefused(f"{host} resolves to no address")
        for address in addresses:
            self._check(host, address, port)
        return addresses[0]

    def _check(self, host: str, address: IPAddress, port: int) -> None:
        """Refuse address unless it is public or the allow-list opens it; a cloud metadata address, always."""
        if is_cloud_metadata(address):
            raise FetchRefused(f"{host} resolves to {address}, a cloud metadata address: the fetch tool never "
                               "reads one, whatever the fetch policy's allowed_hosts says")
        reason = forbidden_reason(address)
        if reason and not self.allows(host, address, port):
            carried = carried_ipv4(address)
            named = str(carried[1]) if carried is not None and _literal(host) == address else host
            raise FetchRefused(f"{host} resolves to {address}, {reason}; add {_suggested_entry(named, port)} to "
                               "the fetch policy's allowed_hosts to reach it on purpose")
