"""The shared connector machinery: config, secrets, policy, rate-limit headers, supervision."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes import RecordingClock
from veille.contracts import SourceBatch
from veille.model import Post
from veille.sources.connectors import (
    HEARTBEAT,
    ConfigField,
    Connector,
    ConnectorConfig,
    ConnectorConfigError,
    ConnectorMeta,
    CredentialsError,
    RateLimitedError,
    ReconnectPolicy,
    ServerError,
    StallError,
    batched_frames,
    parse_rate_limit,
    post_from_dict,
)

META = ConnectorMeta(
    type="demo",
    title="Demo",
    default_endpoint="https://demo.example/",
    fields=(
        ConfigField("token", str, secret=True, env="DEMO_TOKEN"),
        ConfigField("tags", "list[str]", default=[]),
        ConfigField("limit", int, default=20),
        ConfigField("mode", str, default="sse", choices=("sse", "websocket")),
    ),
)


class DemoConnector(Connector):
    meta = META

    def __init__(self, *args: object, sessions: list[object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sessions = sessions

    def batches(self, checkpoint: str | None) -> AsyncIterator[SourceBatch]:
        return self.supervise(self._session)

    async def _session(self) -> AsyncIterator[SourceBatch]:
        step = self.sessions.pop(0)
        if isinstance(step, BaseException):
            raise step
        self.connected()
        yield (
            self.make_batch([(step, step.id)], checkpoint=step.id)
            if isinstance(step, Post)
            else SourceBatch([])
        )


def _post(number: int, text: str = "hello") -> Post:
    return post_from_dict(
        {
            "id": f"demo:{number}",
            "source": "demo",
            "created_at": "2026-01-01T00:00:00Z",
            "text": text,
            "author": {"handle": "alice"},
        }
    )


def test_config_validates_masks_secrets_and_reads_environment() -> None:
    config = ConnectorConfig.from_dict(
        {"type": "demo", "name": "demo-1", "tags": "a, b", "limit": "5"},
        META,
        environ={"DEMO_TOKEN": "s3cr3t"},
    )
    assert config["tags"] == ["a", "b"] and config["limit"] == 5 and config["mode"] == "sse"
    assert config.secret("token") == "s3cr3t"
    assert config.endpoint == "https://demo.example"
    for shown in (repr(config), str(config), config.dumps()):
        assert "s3cr3t" not in shown and "***" in shown
    assert config.to_dict(reveal=True)["token"] == "s3cr3t"
    # per-source variable beats the field's generic one; ${VAR} references are explicit
    per_source = ConnectorConfig.from_dict(
        {"type": "demo", "name": "demo-1"},
        META,
        environ={"DEMO_TOKEN": "a", "VEILLE_SOURCE_DEMO_1_TOKEN": "b"},
    )
    assert per_source.secret("token") == "b"
    explicit = ConnectorConfig.from_dict({"name": "d", "token": "${MY_VAR}"}, META, environ={"MY_VAR": "c"})
    assert explicit.secret("token") == "c"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"name": "d"}, "source 'd': token: required (set the 'token' field or $DEMO_TOKEN"),
        ({"name": "d", "token": "x", "limit": "many"}, "limit: expected an integer"),
        ({"name": "d", "token": "x", "mode": "carrier-pigeon"}, "mode: must be one of sse, websocket"),
        ({"name": "d", "token": "x", "colour": "red"}, "unknown field(s) colour"),
        ({"name": "Bad Name", "token": "x"}, "name: required, lower-case"),
        ({"name": "d", "token": "${NOPE}"}, "environment variable NOPE is not set"),
        ({"name": "d", "token": "x", "endpoint": "ftp://x"}, "endpoint: expected an http(s)://"),
    ],
)
def test_config_errors_name_the_field(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConnectorConfigError) as caught:
        ConnectorConfig.from_dict(table, META, environ={})
    assert message in str(caught.value)


def test_policy_follows_the_reference() -> None:
    policy = ReconnectPolicy(jitter=0.0, rng=random.Random(1))
    assert [policy.after_network_error() for _ in range(3)] == [0.0, 0.25, 0.5]
    for _ in range(100):
        policy.after_network_error()
    assert policy.after_network_error() == 16.0
    assert [policy.after_http_error() for _ in range(8)] == [5, 10, 20, 40, 80, 160, 320, 320]
    assert [policy.after_rate_limit(None, 0.0) for _ in range(3)] == [60, 120, 240]
    assert policy.after_rate_limit(1000.0, now=990.0) == 10.0
    policy.reset()
    assert policy.after_network_error() == 0.0 and policy.after_http_error() == 5.0
    jittered = ReconnectPolicy(jitter=0.2, rng=random.Random(7))
    delays = [jittered.after_rate_limit(1000.0, 940.0) for _ in range(50)]
    assert all(60.0 <= delay <= 72.0 for delay in delays)  # never before the reset
    assert len(set(delays)) > 1


def test_rate_limit_headers_of_each_platform() -> None:
    now = 1_700_000_000.0
    x = parse_rate_limit(
        {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1700000900"}, now
    )
    assert x is not None and (x.limit, x.remaining, x.reset_at) == (450, 0, 1_700_000_900.0)
    mastodon = parse_rate_limit(
        {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2023-11-14T22:18:20.000000Z",
        },
        now,
    )
    assert (
        mastodon is not None
        and mastodon.reset_at == datetime(2023, 11, 14, 22, 18, 20, tzinfo=UTC).timestamp()
    )
    bluesky = parse_rate_limit({"RateLimit-Remaining": "2", "RateLimit-Reset": "1700000030"}, now)
    assert bluesky is not None and bluesky.reset_at == 1_700_000_030.0
    assert parse_rate_limit({"Retry-After": "30"}, now).reset_at == now + 30  # type: ignore[union-attr]
    assert parse_rate_limit({"content-type": "text/plain"}, now) is None


def test_unfilled_fields_are_reported() -> None:
    post = _post(1)
    assert "author.followers" in post.extra["unfilled"] and "metrics.likes" in post.extra["unfilled"]
    assert "url" in post.extra["unfilled"]


def _connector(sessions: list[object], **kwargs: object) -> DemoConnector:
    config = ConnectorConfig.from_dict({"name": "demo", "token": "t"}, META, environ={})
    return DemoConnector(
        config, http_client=httpx.AsyncClient(), clock=RecordingClock(), sessions=sessions, **kwargs
    )


async def test_supervise_reconnects_and_stops_on_credentials() -> None:
    connector = _connector(
        [
            _post(1),
            ServerError("boom", status=503),
            OSError("reset"),
            RateLimitedError("slow down", retry_at=None),
            _post(1),  # a duplicate after reconnect is dropped
            _post(2),
            CredentialsError("Demo (demo): HTTP 401: credentials refused"),
        ]
    )
    emitted: list[str] = []
    with pytest.raises(CredentialsError):
        async for batch in connector.batches(None):
            emitted.extend(post.id for post in batch.posts)
    assert emitted == ["demo:1", "demo:2"]
    sleeps = connector.clock.sleeps  # type: ignore[attr-defined]
    # a session that ends is a drop: reconnect at once; failures without a connection in between
    # escalate (0.25 s for the 2nd network error); counters reset after each successful connect
    assert len(sleeps) == 6
    assert sleeps[0] == 0.0 and 4.0 <= sleeps[1] <= 6.0 and 0.2 <= sleeps[2] <= 0.3
    assert 48.0 <= sleeps[3] <= 72.0 and sleeps[4:] == [0.0, 0.0]
    health = connector.health
    assert health.state == "failed" and "credentials refused" in (health.last_error or "")
    assert health.duplicates_total == 1 and health.reconnects_total == 6 and health.rate_limited_total == 1


async def test_query_filter_drops_posts() -> None:
    connector = _connector([], query_filter=lambda post: "keep" in post.text)
    batch = connector.make_batch([(_post(1, "keep me"), 1), (_post(2, "drop me"), 2)], checkpoint="2")
    assert [post.id for post in batch.posts] == ["demo:1"] and batch.checkpoint == "2"
    assert connector.health.filtered_total == 1 and connector.health.posts_total == 1


async def test_request_maps_statuses() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        status = int(request.url.path.strip("/"))
        headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "2000000000"} if status == 429 else {}
        return httpx.Response(status, json={"detail": f"status {status}"}, headers=headers)

    connector = _connector([])
    connector.http = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="https://demo.example"
    )
    with pytest.raises(CredentialsError, match="credentials refused"):
        await connector.request("GET", "/401")
    with pytest.raises(RateLimitedError) as limited:
        await connector.request("GET", "/429")
    assert limited.value.retry_at == 2_000_000_000.0
    with pytest.raises(ServerError):
        await connector.request("GET", "/502")
    with pytest.raises(ConnectorConfigError, match="HTTP 404") as refused:
        await connector.request("GET", "/404")
    assert "status 404" not in str(refused.value)  # the body stays in the log (issue 18, fault 3)
    assert (await connector.request("GET", "/200")).status_code == 200


async def test_batched_frames_groups_skips_heartbeats_and_detects_stalls() -> None:
    async def frames() -> AsyncIterator[object]:
        for item in (1, HEARTBEAT, 2, 3):
            yield item
        await asyncio.sleep(5)
        yield 4

    collected: list[object] = []
    with pytest.raises(StallError):
        async for group in batched_frames(frames(), stall_timeout_s=0.1):
            collected.extend(group)
    assert collected == [1, 2, 3]

    async def ends() -> AsyncIterator[object]:
        yield 1

    with pytest.raises(ConnectionError):
        async for _ in batched_frames(ends(), stall_timeout_s=1):
            pass
