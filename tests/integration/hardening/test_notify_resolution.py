"""Apprise notification targets are checked after DNS resolution, when a message is sent (issue 18,
fault 3): a name answering an internal address is refused and nothing is sent there.

The resolver is a fake that answers literal addresses; the only connections made go to a local
webhook on 127.0.0.1 (allowed explicitly where a delivery must succeed).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.webhook import webhook_server
from veille.alerts.delivery import DeliveryFailed, apprise_sender, send_with_apprise
from veille.hub import Hub
from veille.security import OutboundPolicy, outbound
from veille.settings import Settings

NAME = "hooks.veille-test.example"


class FakeResolver:
    """``socket.getaddrinfo`` answering ``NAME`` with the given literal addresses (and the literal
    addresses themselves); records every name asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: Any, port: Any, *_args: Any, **_kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.asked.append(name)
        addresses = self.answers if name == NAME else (name,)
        infos = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            where = (
                (address, int(port or 0), 0, 0) if family == socket.AF_INET6 else (address, int(port or 0))
            )
            infos.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", where))
        return infos


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every TCP connection attempted (and let through: only 127.0.0.1 is ever reached)."""
    attempted: list[Any] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        attempted.append(address)
        if address[0] != "127.0.0.1":
            raise AssertionError(f"a connection to {address} was attempted")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempted


def _resolve_with(monkeypatch: pytest.MonkeyPatch, resolver: FakeResolver) -> None:
    monkeypatch.setattr(outbound, "_getaddrinfo", resolver)


@pytest.mark.parametrize(
    ("answers", "kind"),
    [
        (("10.0.0.5",), "private"),
        (("169.254.169.254",), "link-local"),
        (("127.0.0.1",), "loopback"),
        (("fd00:ec2::254",), "private"),
        (("::ffff:10.1.2.3",), "private"),
        (("93.184.215.14", "192.168.1.20"), "private"),  # one internal answer among public ones
    ],
)
def test_a_name_resolving_to_an_internal_address_is_refused_before_any_connection(
    monkeypatch: pytest.MonkeyPatch, connections: list[Any], answers: tuple[str, ...], kind: str
) -> None:
    resolver = FakeResolver(*answers)
    _resolve_with(monkeypatch, resolver)
    with pytest.raises(DeliveryFailed) as failed:
        send_with_apprise(f"json://{NAME}/hook", "Alert", "3 posts", policy=OutboundPolicy())
    assert NAME in str(failed.value) and kind in str(failed.value)
    assert str(failed.value).startswith("notify: ")
    assert NAME in resolver.asked  # decided on the resolved answer, not on the URL's text
    assert connections == []


def test_a_name_resolving_to_an_allowed_address_is_delivered(
    monkeypatch: pytest.MonkeyPatch, connections: list[Any]
) -> None:
    _resolve_with(monkeypatch, FakeResolver("127.0.0.1"))
    policy = OutboundPolicy.build(allow=["127.0.0.1/32"])
    with webhook_server() as hook:
        send_with_apprise(f"json://{NAME}:{hook.port}/hook", "Alert", "3 posts", policy=policy)
        assert hook.wait_for(1)[0]["title"] == "Alert"
    assert connections and all(address[0] == "127.0.0.1" for address in connections)
    # The same name, the same answer, without the allow-list: refused.
    with pytest.raises(DeliveryFailed, match="loopback"):
        send_with_apprise(f"json://{NAME}:9/hook", "Alert", "3 posts", policy=OutboundPolicy())


def test_resolutions_outside_a_send_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = FakeResolver("10.0.0.5")
    _resolve_with(monkeypatch, resolver)
    with pytest.raises(DeliveryFailed):
        send_with_apprise(f"json://{NAME}/hook", "Alert", "3 posts", policy=OutboundPolicy())
    # The wrapper stays installed, but only checks inside addresses_checked.
    assert socket.getaddrinfo(NAME, 80)[0][4][0] == "10.0.0.5"
    with (
        outbound.addresses_checked(OutboundPolicy(), field="notify") as refused,
        pytest.raises(socket.gaierror),
    ):
        socket.getaddrinfo(NAME, 80)
    assert refused and "10.0.0.5" in refused[0]


def test_the_hub_sends_alerts_and_reports_under_its_policy(
    monkeypatch: pytest.MonkeyPatch, connections: list[Any], tmp_path: Path
) -> None:
    _resolve_with(monkeypatch, FakeResolver("169.254.169.254"))
    hub = Hub.build(Settings(data_dir=tmp_path / "data", outbound_allow=[]), stages=[])
    try:
        assert hub.alerts is not None and hub.reports is not None
        # Reports send with their PDF attached (attaching_sender); alerts with the plain sender.
        for sender in (hub.alerts.deliveries.sender, hub.reports.deliveries.attaching_sender):
            with pytest.raises(DeliveryFailed, match="link-local"):
                sender(f"json://{NAME}/hook", "Alert", "3 posts")
    finally:
        hub.store.close()
    assert connections == []
    # A sender for a policy is the plain send with that policy.
    with pytest.raises(DeliveryFailed, match="link-local"):
        apprise_sender(OutboundPolicy())(f"json://{NAME}/hook", "Alert", "3 posts", attach=())
