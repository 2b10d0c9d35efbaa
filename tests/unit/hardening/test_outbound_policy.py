"""Fault 3 of issue 18, decisions only: which addresses the outbound policy refuses, on literal
addresses, sending nothing (a MockTransport records what would have left the hub)."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from veille.security import GuardedTransport, OutboundPolicy, OutboundRefused, ResponseTooLarge, outbound
from veille.settings import Settings
from veille.sources.connectors import ConfigField, ConnectorConfigError

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fd00::1", "private"),
    ("169.254.169.254", "link-local"),  # AWS/GCP/Azure metadata
    ("fd00:ec2::254", "private"),  # AWS metadata over IPv6
    ("fe80::1", "link-local"),
    ("100.100.100.200", "carrier-grade NAT"),  # Alibaba metadata
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("::ffff:127.0.0.1", "loopback (inside an IPv6 address)"),
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 around 169.254.169.254
    ("64:ff9b::a00:1", "private"),  # NAT64 around 10.0.0.1
]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_non_public_addresses_are_refused_by_default(address: str, why: str) -> None:
    reason = OutboundPolicy().refusal(address)
    assert reason is not None and why in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert OutboundPolicy().refusal(address) is None


def test_the_allow_list_opens_exactly_its_networks() -> None:
    policy = OutboundPolicy.build(allow=["127.0.0.1", "10.20.0.0/16"])
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None
    assert policy.refusal("127.0.0.2") is not None
    assert policy.refusal("10.20.3.4") is None
    assert policy.refusal("10.21.0.1") is not None
    assert policy.refusal("169.254.169.254") is not None
    with pytest.raises(ValueError, match="outbound_allow"):
        OutboundPolicy.build(allow=["not-a-network"])


def test_nothing_is_allowed_unless_the_operator_says_so() -> None:
    assert Settings.model_fields["outbound_allow"].get_default(call_default_factory=True) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/api/v1/posts",
        "http://localhost:8000/",
        "http://app.localhost/",
        "http://10.0.0.1/feed.xml",
        "http://0x7f000001/",  # not parsed as an address by ipaddress: resolved (and refused) at request time
    ],
)
async def test_transport_refuses_before_sending(url: str) -> None:
    sent: list[httpx.Request] = []
    transport = GuardedTransport(
        OutboundPolicy(), httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    )
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises((OutboundRefused, httpx.ConnectError)):
            await client.get(url)
    assert sent == []


async def test_every_redirect_hop_is_checked() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data/"})

    policy = OutboundPolicy.build(allow=["127.0.0.1"])
    async with httpx.AsyncClient(transport=GuardedTransport(policy, httpx.MockTransport(handler))) as client:
        with pytest.raises(OutboundRefused, match=r"169\.254\.169\.254 is a link-local"):
            await client.get("http://127.0.0.1:9/feed", follow_redirects=True)
    assert sent == ["http://127.0.0.1:9/feed"]


async def test_bodies_are_capped_while_streaming() -> None:
    chunks_sent = 0

    async def endless() -> object:
        nonlocal chunks_sent
        while True:
            chunks_sent += 1
            yield b"x" * 65536

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/declared":
            return httpx.Response(200, headers={"content-length": str(10**9)}, content=b"")
        return httpx.Response(200, content=endless())  # type: ignore[arg-type]

    policy = OutboundPolicy.build(allow=["127.0.0.1"], max_response_bytes=1024 * 1024)
    async with httpx.AsyncClient(transport=GuardedTransport(policy, httpx.MockTransport(handler))) as client:
        with pytest.raises(ResponseTooLarge, match="over 1048576 bytes"):
            await client.get("http://127.0.0.1:9/endless")
        assert chunks_sent <= 17  # stopped at the cap: never read whole
        with pytest.raises(ResponseTooLarge):
            await client.get("http://127.0.0.1:9/declared")


@pytest.mark.parametrize("value", [0, -1, 0.5])
def test_poll_interval_has_a_floor(value: float) -> None:
    from veille.sources.connectors.registry import registered_connectors

    for cls in registered_connectors().values():
        try:
            spec: ConfigField = cls.meta.field("poll_interval_s")
        except KeyError:
            continue
        with pytest.raises(ValueError, match="must be at least 10"):
            spec.convert(value)
    assert issubclass(ConnectorConfigError, ValueError)


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/", "https://api.localhost/x", "http://[fd00:ec2::254]/"]
)
def test_literal_check_refuses_local_names_and_addresses(url: str) -> None:
    with pytest.raises(OutboundRefused) as caught:
        OutboundPolicy().check_literal(url, field="endpoint")
    assert caught.value.field == "endpoint"
    OutboundPolicy().check_literal("https://mastodon.social/api", field="endpoint")  # names: at request time


def _resolver(answers: dict[str, str]) -> Any:
    async def resolve(name: str, port: int) -> list[Any]:
        return [ipaddress.ip_address(answers[name])]

    return resolve


async def test_a_websocket_is_pinned_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name ``stream.example.test`` resolves (for the policy) to 127.0.0.1, where a WebSocket
    server listens; nothing else could resolve it, so the connection succeeds only if it goes to
    the checked address. The URL's name still reaches the server in the Host header."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import ServerConnection, serve

    hosts: list[str] = []

    async def handler(connection: ServerConnection) -> None:
        hosts.append(connection.request.headers["Host"] if connection.request else "")
        await connection.send("hello")

    monkeypatch.setattr(outbound, "_resolve_name", _resolver({"stream.example.test": "127.0.0.1"}))
    policy = OutboundPolicy.build(allow=["127.0.0.1"])
    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        url = f"ws://stream.example.test:{port}/subscribe"
        pinned = await policy.pinned_address(url)
        assert pinned == {"host": "127.0.0.1", "port": port}
        async with connect(url, **pinned) as socket:
            assert await socket.recv() == "hello"
    assert hosts == [f"stream.example.test:{port}"]


async def test_a_websocket_name_resolving_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "_resolve_name", _resolver({"jetstream.example.test": "169.254.169.254"}))
    with pytest.raises(OutboundRefused, match="link-local"):
        await OutboundPolicy().pinned_address("wss://jetstream.example.test/subscribe")
