"""Each platform's reply client against the fake speaking its wire format, failures included:
a rate limit (with when to try again), refused credentials, a deleted parent, a failing platform."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.replies import DEMO_APP_PASSWORD, DEMO_TOKEN, ReplyPlatform, serve_replies
from veille.inbox.replies import PlatformError, ReplyRequest, send_reply
from veille.security.outbound import GuardedTransport, OutboundPolicy

PARENTS = {
    "mastodon": (
        "mastodon:mastodon.example/110000000000000001",
        "https://mastodon.example/@alice/110000000000000001",
    ),
    "bluesky": ("bluesky:at://did:plc:alice123/app.bsky.feed.post/3kabcdefgh2x", None),
    "x": ("x:1790000000000000001", None),
    "reddit": ("reddit:t3_1abcde", None),
    "youtube": ("youtube:UgzAbCdEf123.AbCdEf456", None),
}


@pytest.fixture
def fake() -> Iterator[tuple[ReplyPlatform, str]]:
    with serve_replies() as served:
        yield served


def _request(
    platform: str, base: str, *, token: str = DEMO_TOKEN, text: str = "Bonjour, nous regardons."
) -> ReplyRequest:
    parent_id, url = PARENTS[platform]
    credentials = (
        {
            "identifier": "novatelecom.bsky.social",
            "app_password": DEMO_APP_PASSWORD if token == DEMO_TOKEN else token,
        }
        if platform == "bluesky"
        else {"access_token": token}
    )
    return ReplyRequest(
        platform=platform,
        parent_id=parent_id,
        parent_url=url,
        text=text,
        endpoint=f"{base}/{platform}",
        credentials=credentials,
        account_handle="NovaTelecom",
    )


def _send(request: ReplyRequest) -> Any:
    async def run() -> Any:
        policy = OutboundPolicy.build(allow=["127.0.0.1"])
        async with httpx.AsyncClient(transport=GuardedTransport(policy), timeout=10) as client:
            return await send_reply(client=client, request=request)

    return asyncio.run(run())


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_a_reply_is_posted_in_the_platform_wire_format(
    fake: tuple[ReplyPlatform, str], platform: str
) -> None:
    server, base = fake
    posted = _send(_request(platform, base))
    assert posted.post_id.startswith(f"{platform}:")
    [kept] = server.replies
    assert kept["platform"] == platform and kept["text"] == "Bonjour, nous regardons."
    expected_parent = {
        "x": "1790000000000000001",
        "reddit": "t3_1abcde",
        "youtube": "UgzAbCdEf123",  # a reply's parent is its top-level comment
        "bluesky": "at://did:plc:alice123/app.bsky.feed.post/3kabcdefgh2x",
    }
    if platform == "mastodon":
        # resolved first on our instance: the id there is not the remote one
        assert kept["parent"] != "110000000000000001" and kept["parent"].isdigit()
    else:
        assert kept["parent"] == expected_parent[platform]
    if platform == "bluesky":
        assert kept["root"] == kept["parent"]  # a top-level post is its own thread's root


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_rate_limit_says_when_to_try_again(fake: tuple[ReplyPlatform, str], platform: str) -> None:
    server, base = fake
    server.fail(platform, "rate_limited")
    with pytest.raises(PlatformError) as caught:
        _send(_request(platform, base))
    error = caught.value
    assert error.kind == "rate_limited" and error.status_code == 429
    assert "rate limit" in str(error) and "try again in" in str(error)
    if platform != "youtube":  # YouTube's quota error carries no reset time
        assert error.retry_after_s is not None and 100 < error.retry_after_s <= 900
    assert server.replies == []


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_refused_credentials_are_named(fake: tuple[ReplyPlatform, str], platform: str) -> None:
    _server, base = fake
    with pytest.raises(PlatformError) as caught:
        _send(_request(platform, base, token="expired-token"))
    assert caught.value.kind == "unauthorized"
    assert "credentials" in str(caught.value) and "desk settings" in str(caught.value)


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_scripted_expired_token_is_refused_too(fake: tuple[ReplyPlatform, str], platform: str) -> None:
    server, base = fake
    server.fail(platform, "unauthorized")
    with pytest.raises(PlatformError) as caught:
        _send(_request(platform, base))
    assert caught.value.kind == "unauthorized", str(caught.value)


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_a_deleted_parent_is_said_so(fake: tuple[ReplyPlatform, str], platform: str) -> None:
    server, base = fake
    parent_id, url = PARENTS[platform]
    platform_id = parent_id.split(":", 1)[1]
    gone = {
        "mastodon": url or "",
        "bluesky": platform_id,
        "x": platform_id,
        "reddit": platform_id,
        "youtube": platform_id.split(".")[0],
    }[platform]
    server.deleted.add(gone)
    with pytest.raises(PlatformError) as caught:
        _send(_request(platform, base))
    assert caught.value.kind == "parent_gone", str(caught.value)
    assert "no longer exists" in str(caught.value)
    assert server.replies == []


@pytest.mark.parametrize("platform", sorted(PARENTS))
def test_a_failing_platform_is_said_so(fake: tuple[ReplyPlatform, str], platform: str) -> None:
    server, base = fake
    server.fail(platform, "server_error")
    with pytest.raises(PlatformError) as caught:
        _send(_request(platform, base))
    assert caught.value.kind == "unavailable"
    assert "is failing" in str(caught.value) and "try again" in str(caught.value)


def test_scripted_gone_answers_are_read_per_platform(fake: tuple[ReplyPlatform, str]) -> None:
    server, base = fake
    for platform in sorted(PARENTS):
        server.fail(platform, "gone")
        with pytest.raises(PlatformError) as caught:
            _send(_request(platform, base))
        assert caught.value.kind == "parent_gone", (platform, str(caught.value))


def test_an_unsupported_platform_is_refused_in_words() -> None:
    request = ReplyRequest(
        platform="facebook",
        parent_id="facebook:1_2",
        parent_url=None,
        text="hi",
        endpoint="https://graph.facebook.com",
        credentials={},
        account_handle="NovaTelecom",
    )
    with pytest.raises(PlatformError, match="not supported"):
        _send(request)


def test_the_outbound_policy_guards_the_writes() -> None:
    async def run() -> None:
        async with httpx.AsyncClient(transport=GuardedTransport(OutboundPolicy.build()), timeout=5) as client:
            await send_reply(client=client, request=_request("x", "http://169.254.169.254"))

    with pytest.raises(PlatformError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "refused" and "link-local" in str(caught.value)
