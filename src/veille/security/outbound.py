"""The outbound-request policy every connector and feed reader shares (and later webhooks).

A hub that fetches URLs chosen by its users must not become a way into the network it runs in
(SSRF). :class:`OutboundPolicy` decides, for every request the hub sends:

* **where**: the host is resolved first and *every* address it resolves to must be public. Loopback,
  private (RFC 1918, unique-local), link-local (the cloud metadata services at 169.254.169.254 and
  fd00:ec2::254), carrier-grade NAT (100.64.0.0/10), multicast, reserved and unspecified addresses
  are refused, as are IPv6 forms embedding such an IPv4 (mapped, 6to4, Teredo, NAT64). An operator
  may open networks again with ``[hub] outbound_allow`` (development, the test suite's fakes on
  127.0.0.1): an address inside an allowed network passes whatever its range.
* **every hop**: :class:`GuardedTransport` wraps the HTTP client's transport, so a redirect (followed
  by httpx or by a connector) is checked like the first request. The connection is pinned to the
  address that was checked (the URL's host becomes that address; ``Host`` and TLS SNI keep the
  name), so a DNS answer that changes between the check and the connection cannot slip through.
* **how much**: a response body is streamed through a counter and refused past
  ``max_response_bytes`` (a ``Content-Length`` over the cap is refused before any byte is read), and
  a body that takes longer than ``max_response_s`` to arrive is abandoned. Long-lived streams (a
  request carrying the :data:`LONG_LIVED` extension: X's filtered stream, Mastodon's SSE) are not
  bounded in total, only by the connector's stall time-out.
* **how often**: :data:`MIN_POLL_INTERVAL_S` is the shortest poll interval a source may ask for.

Requests the hub does not send itself — Apprise's, for alert and report notifications (``requests``,
``smtplib``…) — are checked by :func:`addresses_checked`: inside it, every name the sending code
resolves (``socket.getaddrinfo``, which every such library calls for each connection, each redirect
hop and each SMTP server included) is checked after resolution, and a refused answer fails the
resolution before any connection is made.

Decisions on literal addresses (:meth:`OutboundPolicy.refusal`) need no network: the tests check the
ranges on literal addresses without sending anything.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from veille.errors import Invalid, TooLarge

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RESPONSE_S",
    "LONG_LIVED",
    "MIN_POLL_INTERVAL_S",
    "GuardedTransport",
    "OutboundPolicy",
    "OutboundRefused",
    "ResponseTooLarge",
    "addresses_checked",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
DEFAULT_MAX_RESPONSE_S: Final = 120.0
MIN_POLL_INTERVAL_S: Final = 10.0
# Request extension marking a long-lived stream (no total size or time bound; a stall time-out instead).
LONG_LIVED: Final = "veille_long_lived"

_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class OutboundRefused(Invalid):
    """The hub will not send a request there (a non-public address, or a name resolving to one)."""

    def __init__(self, message: str, *, field: str | None = "endpoint") -> None:
        super().__init__(message, field=field)


class ResponseTooLarge(TooLarge):
    """A response body over the policy's size cap (or too slow to arrive): abandoned, never kept."""


def _category(address: IPAddress) -> str | None:
    """Why an address is not public, or ``None`` when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _category(embedded)
            return f"{inner} (inside an IPv6 address)" if inner else None
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata services live there)"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "shared (carrier-grade NAT)"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


def _parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise Invalid(
                f"outbound_allow: {entry!r} is not an address or network (e.g. 127.0.0.1 or 10.0.0.0/8)",
                field="outbound_allow",
            ) from None
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Where the hub may send requests, and how much it reads back (see the module docstring)."""

    allow: tuple[IPNetwork, ...] = ()
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_response_s: float = DEFAULT_MAX_RESPONSE_S
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0

    @classmethod
    def build(
        cls,
        *,
        allow: Iterable[str] = (),
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_response_s: float = DEFAULT_MAX_RESPONSE_S,
    ) -> OutboundPolicy:
        """A policy from settings (``outbound_allow`` entries: addresses or CIDR networks)."""
        return cls(
            allow=_parse_networks(allow), max_response_bytes=max_response_bytes, max_response_s=max_response_s
        )

    @property
    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_timeout_s, connect=self.connect_timeout_s)

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why a request to this literal address is refused (``None``: allowed). Sends nothing."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if any(ip.version == network.version and ip in network for network in self.allow):
            return None
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            mapped = ip.ipv4_mapped
            if any(network.version == 4 and mapped in network for network in self.allow):
                return None
        return _category(ip)

    def check_literal(self, url: str, *, field: str = "endpoint") -> None:
        """Refuse at once a URL whose host is a literal address (or ``localhost``) outside the policy.

        No resolution: names are checked when a request is sent (:meth:`resolve`). For configuration
        time, so that a user adding ``http://169.254.169.254/`` gets a 422 naming the field.
        """
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        if host in _LOCAL_NAMES or host.endswith(".localhost"):
            host = "127.0.0.1"
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return
        reason = self.refusal(ip)
        if reason is not None:
            raise OutboundRefused(
                f"{field}: {ip} is a {reason} address; the hub does not send requests there", field=field
            )

    async def resolve(self, host: str, port: int, *, field: str = "endpoint") -> IPAddress:
        """The first address of ``host`` once every address it resolves to is allowed.

        ``OutboundRefused`` when one is not (a name with one private answer among public ones is
        refused: which one the connection would use is not ours to choose). ``httpx.ConnectError``
        when the name does not resolve.
        """
        name = host.rstrip(".").lower()
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(name.strip("[]"))]
        except ValueError:
            addresses = await _resolve_name(name, port)
        for ip in addresses:
            reason = self.refusal(ip)
            if reason is not None:
                shown = host if str(ip) == name else f"{host} ({ip})"
                raise OutboundRefused(
                    f"{field}: {shown} is a {reason} address; the hub does not send requests there",
                    field=field,
                )
        return addresses[0]

    async def check_url(self, url: str, *, field: str = "endpoint") -> None:
        """Resolve and check the host of ``url`` (for connections httpx does not make: WebSockets)."""
        await self.pinned_address(url, field=field)

    async def pinned_address(self, url: str, *, field: str = "endpoint") -> dict[str, str | int]:
        """Check ``url``'s host and return where to connect: ``{"host": <checked address>, "port": …}``.

        For connections httpx does not make (WebSockets: ``websockets.connect(url, **pinned)``): the
        TCP connection goes to the address that was checked, while the URL's name is still used
        for TLS (SNI, certificate) and the ``Host`` header; a DNS answer that changes between the
        check and the connection (rebinding) cannot reach an internal address."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
        address = await self.resolve(parts.hostname or "", port, field=field)
        return {"host": str(address), "port": port}


async def _resolve_name(name: str, port: int) -> list[IPAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise httpx.ConnectError(f"cannot resolve {name}: {error.strerror or error}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise httpx.ConnectError(f"cannot resolve {name}")
    return addresses


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that applies an :class:`OutboundPolicy` to every request (redirects too)."""

    def __init__(self, policy: OutboundPolicy, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        address = await self.policy.resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
        extensions = dict(request.extensions)
        long_lived = bool(extensions.pop(LONG_LIVED, False))
        if str(address) != url.host.strip("[]"):
            # Pin the connection to the checked address; Host and SNI keep the name (certificates
            # are verified against it).
            extensions.setdefault("sni_hostname", url.host)
            request = httpx.Request(
                request.method,
                url.copy_with(host=str(address)),
                headers=request.headers,
                stream=request.stream,
                extensions=extensions,
            )
        else:
            request.extensions = extensions
        response = await self.inner.handle_async_request(request)
        if long_lived:
            return response
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_response_bytes:
            await response.aclose()
            raise ResponseTooLarge(_too_large(url, self.policy.max_response_bytes), field="response")
        if not isinstance(response.stream, httpx.AsyncByteStream):
            raise TypeError("GuardedTransport needs an asynchronous transport")
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self.policy, url),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def _too_large(url: httpx.URL, limit: int) -> str:
    return f"response of {url.copy_with(query=None, userinfo=b'')} is over {limit} bytes: abandoned"


class _CappedStream(httpx.AsyncByteStream):
    """A response body counted while it streams: never more than the cap in memory."""

    def __init__(self, inner: httpx.AsyncByteStream, policy: OutboundPolicy, url: httpx.URL) -> None:
        self._inner = inner
        self._policy = policy
        self._url = url

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        started = time.monotonic()
        async for chunk in self._inner:
            received += len(chunk)
            if received > self._policy.max_response_bytes:
                raise ResponseTooLarge(
                    _too_large(self._url, self._policy.max_response_bytes), field="response"
                )
            if time.monotonic() - started > self._policy.max_response_s:
                raise ResponseTooLarge(
                    f"response of {self._url.copy_with(query=None, userinfo=b'')} took over "
                    f"{self._policy.max_response_s:.0f} s: abandoned",
                    field="response",
                )
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


# -- names resolved by code the hub does not drive (Apprise) --------------------------------------

# The system's resolver, as it was before :func:`addresses_checked` first wrapped it (tests put a
# fake here that answers literal addresses).
_getaddrinfo: Callable[..., list[Any]] = socket.getaddrinfo
_checking: ContextVar[tuple[OutboundPolicy, str, list[str]] | None] = ContextVar(
    "veille_outbound_checking", default=None
)
_install_lock = threading.Lock()
_installed = False


def _checked_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    infos = _getaddrinfo(host, port, *args, **kwargs)
    checking = _checking.get()
    if checking is None:
        return infos
    policy, field, refusals = checking
    name = host.decode() if isinstance(host, bytes) else str(host)
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        reason = policy.refusal(ip)
        if reason is not None:
            shown = name if str(ip) == name.strip("[]") else f"{name} ({ip})"
            message = f"{field}: {shown} is a {reason} address; the hub does not send requests there"
            refusals.append(message)
            # A failed resolution: the sending library connects nowhere and reports a connection error.
            raise socket.gaierror(socket.EAI_NONAME, message)
    return infos


def _install() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            # One wrapper for the process; it checks only inside addresses_checked (a context
            # variable), so every other resolution (the event loop's, the database's) is untouched.
            socket.getaddrinfo = _checked_getaddrinfo
            _installed = True


@contextmanager
def addresses_checked(policy: OutboundPolicy, *, field: str = "notify") -> Iterator[list[str]]:
    """Apply ``policy`` to every name resolved inside the block (by this thread, or by threads
    started with a copy of its context, as Apprise's are), after resolution.

    A name resolving to a refused address fails to resolve (``socket.gaierror``): nothing is sent
    there. The list yielded collects the refusals (``"notify: hooks.example (10.0.0.5) is a private
    address; …"``), for the caller to report instead of the library's own connection error.
    """
    _install()
    refusals: list[str] = []
    token = _checking.set((policy, field, refusals))
    try:
        yield refusals
    finally:
        _checking.reset(token)
