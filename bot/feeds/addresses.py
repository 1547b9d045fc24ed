"""Where the fetcher may connect: the public internet, not the network the bot runs in.

Anyone who can add a feed, or write an item link into one, chooses URLs the bot fetches; a
self-hosted bot sits inside someone's network, so without a check it would fetch (and post
into a chat) pages from the router, a cloud metadata service or a local admin panel: server-
side request forgery. So every connection is checked where it is opened: the host is
resolved once, loopback, private, link-local, multicast, reserved and other non-public
addresses are refused, and the connection goes to an address that passed, never to what a
second lookup might answer (DNS rebinding). Redirects and article pages open connections the
same way, so the check holds for each of them.

IPv4 written in any form the C resolver accepts (``2130706433``, ``0x7f.1``, ``0177.0.0.1``,
``127.1``) is read as the address it means, and an IPv6 address carrying an IPv4 one
(``::ffff:127.0.0.1``, 6to4, NAT64) is judged by that IPv4 address.

``[fetch] allow_private`` turns the check off; ``[fetch] allow_hosts`` names hosts that are
trusted whatever they resolve to (a feed on the intranet, the tests' local servers).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpcore

from bot.i18n import N_, Deferred

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
"""``(host, port) -> addresses``; raises OSError when the name does not resolve."""

_IPV4_SPELLING = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}")
"""Numbers in decimal, octal or hex, one to four parts: what ``inet_aton`` reads as IPv4."""
_SHARED = ipaddress.ip_network("100.64.0.0/10")
"""Shared address space (RFC 6598): Python 3.11 calls it neither private nor global."""
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class InternalAddress(Exception):
    """A host that resolves only to addresses the bot must not connect to."""

    def __init__(self, host: str, addresses: Iterable[IPAddress]) -> None:
        found = sorted(set(addresses), key=str)
        self.reason = Deferred(
            N_(
                "refused: {addresses}; the bot does not fetch from internal addresses "
                "(an operator can allow them with [fetch] allow_hosts or allow_private)"
            ),
            addresses=tuple(_described(host, address) for address in found),
        )
        super().__init__(str(self.reason))
        self.host = host
        self.addresses = found


@dataclass(frozen=True)
class AddressPolicy:
    """What the operator allows beyond the public internet."""

    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow_hosts", frozenset(map(_host_key, self.allow_hosts)))

    def trusts(self, host: str) -> bool:
        """Whether connections to ``host`` need no check."""
        return self.allow_private or _host_key(host) in self.allow_hosts


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells out, in any notation the system resolver accepts."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _IPV4_SPELLING.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def why_internal(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("a loopback address"), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return why_internal(embedded)
    checks = (
        (address.is_loopback, N_("a loopback address")),
        (address.is_unspecified, N_("the unspecified address (this machine)")),
        (address.is_link_local, N_("a link-local address")),
        (address.is_multicast, N_("a multicast address")),
        # TRANSLATORS: keep: NAT
        (address in _SHARED, N_("a carrier-grade NAT address")),
        (address.is_private, N_("a private address")),
        (address.is_reserved, N_("a reserved address")),
        (not address.is_global, N_("not a public address")),
    )
    return next((reason for internal, reason in checks if internal), None)


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The host's addresses as the system resolves them (``getaddrinfo``, off the loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))


class AddressGuard(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the check: resolve, refuse internal, connect to the
    address that passed. TLS still names the host (SNI, certificate check): httpcore takes
    those from the request, not from the address connected to."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver = system_resolver,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.network = network or httpcore.AnyIOBackend()

    def refuse_internal_literal(self, host: str) -> None:
        """Raise InternalAddress when ``host`` is an internal IP literal and not trusted.

        Checked before a request is even built: HTTP libraries refuse some spellings
        (``0177.0.0.1``) as malformed and resolve others, and either way the person should
        read the one reason that applies.
        """
        literal = literal_address(host)
        if literal is not None and why_internal(literal) and not self.policy.trusts(host):
            raise InternalAddress(host, [literal])

    async def public_addresses(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses the bot may connect to; raises InternalAddress if none."""
        literal = literal_address(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self.resolver(host, port)
            except OSError as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        allowed = [address for address in addresses if why_internal(address) is None]
        if not allowed:
            raise InternalAddress(host, addresses)
        return allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.policy.trusts(host):
            return await self.network.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        failure: httpcore.ConnectError | None = None
        for address in await self.public_addresses(host, port):
            try:
                return await self.network.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the host's next address
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the fetcher does not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self.network.sleep(seconds)


def _host_key(host: str) -> str:
    """One spelling per host name for comparisons: lower case, no root dot, no brackets."""
    return host.strip().strip("[]").rstrip(".").lower()


def _described(host: str, address: IPAddress) -> Deferred:
    kind = Deferred(why_internal(address) or N_("a public address"))
    if _host_key(host) == str(address):
        return Deferred(N_("{address} is {kind}"), address=str(address), kind=kind)
    return Deferred(N_("{host} is {address}, {kind}"), host=host, address=str(address), kind=kind)
