"""X connector against the fake X API (real chunked HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes import Failure, LocalServer, RecordingClock, real_payload
from tests.fakes.x import FakeX, make_message, rate_limited
from tests.integration.connectors.helpers import build, collect
from veille.sources.connectors import ConnectorConfigError, CredentialsError
from veille.sources.connectors.x import XConnector, message_to_post


@pytest.fixture
def fake() -> Iterator[tuple[FakeX, LocalServer]]:
    x = FakeX()
    with LocalServer(x.app) as server:
        yield x, server


def _connector(
    server: LocalServer, client: httpx.AsyncClient, **fields: Any
) -> tuple[XConnector, RecordingClock]:
    clock = RecordingClock()
    table = {
        "type": "x",
        "name": "x-main",
        "endpoint": server.url,
        "bearer_token": "good-bearer",
        "rules": {"cats": "cat has:images"},
        "stall_timeout_s": 0.5,
        **fields,
    }
    return build(XConnector, table, client=client, clock=clock), clock


async def test_normal_flow_maps_every_field_and_syncs_rules(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    x.rules = {"1": {"id": "1", "value": "stale rule", "tag": "old"}}
    rich = make_message(1578516068309794817, "RT @bob: great https://t.co/x")
    rich["data"].update(
        lang="fr",
        referenced_tweets=[
            {"type": "retweeted", "id": "1578511538419212288"},
            {"type": "replied_to", "id": "42"},
        ],
        public_metrics={
            "like_count": 5,
            "retweet_count": 6,
            "reply_count": 7,
            "quote_count": 1,
            "impression_count": 99,
        },
        entities={"urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/a"}]},
    )
    rich["includes"]["users"][0].update(
        name="Cat Person", public_metrics={"followers_count": 1250}, verified=True
    )
    x.scripts = [[("keepalive",), ("post", make_message(1234567890)), ("keepalive",), ("split", rich)]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client)
        got = await collect(connector, posts=2)
    first, second = got.posts
    assert first.id == "x:1234567890" and first.url == "https://x.com/catperson/status/1234567890"
    assert first.text == "Look at this cute cat! 🐱"
    assert first.created_at == datetime(2024, 1, 15, 10, 35, tzinfo=UTC)
    assert (first.author.id, first.author.handle) == ("9876543210", "catperson")
    assert first.extra["matching_rules"] == ["cats"]
    assert {"author.followers", "author.name", "lang", "metrics.likes"} <= set(first.extra["unfilled"])
    assert second.lang == "fr" and second.repost_of == "x:1578511538419212288" and second.reply_to == "x:42"
    assert (second.metrics.likes, second.metrics.reposts, second.metrics.replies, second.metrics.views) == (
        5,
        6,
        7,
        99,
    )
    assert second.links == ["https://example.org/a"]
    assert (second.author.name, second.author.followers, second.author.verified) == ("Cat Person", 1250, True)
    assert second.extra["unfilled"] == []
    assert got.checkpoint == "1578516068309794817"
    assert [(rule["value"], rule["tag"]) for rule in x.rules.values()] == [("cat has:images", "cats")]
    assert x.rule_posts[0] == {"delete": {"ids": ["1"]}}


async def test_set_rules_reconciles_without_duplicates(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client)
        assert await connector.sync_rules() == {"added": 1, "deleted": 0}
        assert await connector.sync_rules() == {"added": 0, "deleted": 0}  # idempotent
        await connector.set_rules({"cats": "cat has:images", "dogs": "dog lang:fr"})
        assert sorted(rule["tag"] for rule in x.rules.values()) == ["cats", "dogs"]
        with pytest.raises(ConnectorConfigError, match="rules refused"):
            await connector.set_rules({"bad": "INVALID operator:"})


async def test_resume_after_disconnect_fills_the_gap_by_search(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    messages = [make_message(1_000 + n, f"post {n}") for n in range(1, 6)]
    x.searchable = messages[:4]  # 1003-1004 were posted while disconnected
    x.scripts = [
        [("post", messages[0]), ("post", messages[1]), ("disconnect",)],
        [("post", messages[3]), ("post", messages[4])],  # 1004 again (overlap), then 1005
    ]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client)
        got = await collect(connector, posts=5)
    assert got.ids == [f"x:{1_000 + n}" for n in range(1, 6)]
    assert got.checkpoint == "1005"
    assert x.search_requests[0]["since_id"] == "1002" and x.search_requests[0]["query"] == "cat has:images"
    assert connector.health.duplicates_total == 1 and clock.sleeps == [0.0]
    assert "operational-disconnect" in (connector.health.last_error or "")


async def test_waits_until_the_reset_after_429(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    reset = int(time.time()) + 300
    x.stream_failures.push(rate_limited(reset))
    x.scripts = [[("post", make_message(1))]]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client)
        got = await collect(connector, posts=1)
    assert got.ids == ["x:1"]
    assert len(clock.sleeps) == 1 and 295 <= clock.sleeps[0] <= 300 * 1.2 + 1
    assert connector.health.rate_limited_total == 1


async def test_too_many_connections_without_reset_backs_off_from_60s(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    body = {
        "title": "ConnectionException",
        "detail": "This stream is currently at the maximum allowed connection limit.",
        "connection_issue": "TooManyConnections",
        "type": "https://api.x.com/2/problems/streaming-connection",
    }
    x.stream_failures.push(Failure(429, body=json.dumps(body)), Failure(429, body="{}"))
    x.scripts = [[("post", make_message(1))]]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client)
        await collect(connector, posts=1)
    assert 48 <= clock.sleeps[0] <= 72 and 96 <= clock.sleeps[1] <= 144


async def test_malformed_lines_and_stall(fake: tuple[FakeX, LocalServer]) -> None:
    x, server = fake
    no_text = make_message(2)
    del no_text["data"]["text"]
    x.scripts = [
        [
            ("raw", "{broken json\r\n"),
            ("raw", "[1]\r\n"),
            ("post", no_text),
            ("post", make_message(3)),
            ("stall", 2.0),
        ],
        [("post", make_message(4))],
    ]
    x.keepalive_s = 5.0
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, stall_timeout_s=0.3, backfill_on_reconnect=False)
        got = await collect(connector, posts=2)
    assert got.ids == ["x:3", "x:4"]
    assert connector.health.malformed_total == 3
    assert clock.sleeps == [0.0]  # the stall reconnected once, immediately


async def test_bad_bearer_token_stops_with_a_clear_message(fake: tuple[FakeX, LocalServer]) -> None:
    _, server = fake
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, bearer_token="nope-token")
        with pytest.raises(CredentialsError, match="credentials refused"):
            await collect(connector)
    assert clock.sleeps == [] and connector.health.state == "failed"
    assert "nope-token" not in repr(connector) and "nope-token" not in connector.config.dumps()


# -- real recorded payloads (tests/fakes/data/real/x, origins in its README) ----------------------


async def test_real_stream_messages_map_field_by_field(fake: tuple[FakeX, LocalServer]) -> None:
    """Two filtered-stream messages recorded by twarc: a quote tagged in Malawi, a reply in Bournemouth."""
    x, server = fake
    quote, reply = real_payload("x", "streaming_output.jsonl")
    x.scripts = [[("post", quote), ("keepalive",), ("post", reply)]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, backfill_on_reconnect=False)
        got = await collect(connector, posts=2)
    first, second = got.posts
    assert first.id == "x:1377650090978992134"
    assert first.url == "https://x.com/blackheart_265/status/1377650090978992134"
    assert first.created_at == datetime(2021, 4, 1, 15, 52, 31, tzinfo=UTC)
    assert first.text == "Fury https://t.co/YbMgHU5xRX https://t.co/tXgDG9jrKX" and first.lang == "en"
    author = first.author
    assert (author.id, author.handle, author.name, author.followers, author.verified) == (
        "4602771083",
        "blackheart_265",
        "Endangered Species",
        881,
        False,
    )
    assert author.location == "Mzuzu, Malawi"
    assert first.quote_of == "x:1377640162566496258" and first.reply_to is None and first.repost_of is None
    assert first.links == [
        "https://twitter.com/blackheart_265/status/1377650090978992134/photo/1",
        "https://twitter.com/Manie_DS/status/1377640162566496258",
    ]
    assert (first.metrics.likes, first.metrics.reposts, first.metrics.replies, first.metrics.views) == (
        0,
        0,
        0,
        None,
    )
    # The place's country, requested with geo.place_id and place.fields=country_code.
    assert first.country == "MW" and first.extra["place"]["full_name"] == "Malawi"
    assert first.extra["matching_rules"] == [1377649934414049282]  # no tag: the rule's id, as sent
    assert second.id == "x:1377650093109743620" and second.reply_to == "x:1377266697850257410"
    assert second.text.startswith("@PoliceMutual Well done PD Max") and second.text.endswith("👏👏")
    assert (second.author.handle, second.author.followers, second.country) == ("sheelaghb18", 837, "GB")
    assert second.extra["place"]["full_name"] == "Bournemouth, England"
    [request] = x.stream_requests
    assert "geo.place_id" in request["expansions"] and "referenced_tweets.id" in request["expansions"]
    assert "country_code" in request["place.fields"] and "geo" in request["tweet.fields"]


async def test_a_retweet_carries_the_whole_original_text(fake: tuple[FakeX, LocalServer]) -> None:
    """A search page recorded by twarc: the retweet's text is "RT @bibaigna96: …", the original is
    in includes.tweets (read here through the gap-filling recent search)."""
    x, server = fake
    [page] = real_payload("x", "two_tweets.jsonl")
    [retweet] = page["data"]
    x.searchable = [{"data": retweet, "includes": page["includes"]}]
    x.scripts = [[("post", make_message(1394735776701816999, "live"))]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client)
        got = await collect(connector, "1394735776701816000", posts=2)
    post = {post.id: post for post in got.posts}["x:1394735776701816833"]
    assert post.text == "#POIUYTREWQ"  # the original's, not the "RT @x:" prefix
    assert post.extra["retweet_text"] == "RT @bibaigna96: #POIUYTREWQ"
    assert post.repost_of == "x:1391677057810288641"
    assert (post.author.handle, post.author.name, post.author.followers) == (
        "LachiVeronica",
        "Veronica Lachi",
        0,
    )
    assert post.lang == "und" and post.url == "https://x.com/LachiVeronica/status/1394735776701816833"
    assert post.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)


def test_escaped_text_and_the_legacy_indonesian_code() -> None:
    """X escapes & < > in text and still sends "in" for Indonesian (the recorded reply, changed)."""
    _, reply = real_payload("x", "streaming_output.jsonl")
    reply["data"] = {
        **reply["data"],
        "text": "@PoliceMutual Terima kasih &amp; salam &lt;3 &gt;_&lt;",
        "lang": "in",
    }
    post = message_to_post(reply)
    assert post.text == "@PoliceMutual Terima kasih & salam <3 >_<"
    assert post.lang == "id" and post.extra["lang_tag"] == "in"


def test_a_refused_post_is_kept_as_a_message_that_maps_again() -> None:
    quote, _ = real_payload("x", "streaming_output.jsonl")
    broken = {**quote, "data": {key: value for key, value in quote["data"].items() if key != "author_id"}}
    connector = build(
        XConnector,
        {"type": "x", "name": "x-main", "bearer_token": "t"},
        client=httpx.AsyncClient(),
    )
    batch, _ = connector._batch([json.dumps(broken).encode()])
    [refused] = batch.rejected
    assert "author_id" in refused.reason
    # Stored with the includes the post needs (its author, the quoted post, the place), not the page's.
    assert refused.payload["includes"]["places"][0]["country_code"] == "MW"
    assert [tweet["id"] for tweet in refused.payload["includes"]["tweets"]] == ["1377640162566496258"]
    fixed = {**refused.payload, "data": {**refused.payload["data"], "author_id": "4602771083"}}
    remapped = connector.remap(fixed)
    assert remapped is not None and remapped.country == "MW" and remapped.author.handle == "blackheart_265"
