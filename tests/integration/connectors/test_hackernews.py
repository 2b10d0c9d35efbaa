"""Hacker News (Algolia) connector against the fake search API (tests/fakes/hackernews.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes import Failure, LocalServer, RecordingClock, real_payload
from tests.fakes.hackernews import FakeHackerNews, comment_hit, story_hit
from tests.integration.connectors.helpers import build, take
from veille.sources.connectors import CredentialsError
from veille.sources.connectors.hackernews import HackerNewsConnector, map_hn_hit

NOW = int(datetime.now(UTC).timestamp())


@pytest.fixture
def fake() -> FakeHackerNews:
    return FakeHackerNews()


def make(
    server: LocalServer, clock: RecordingClock, client: httpx.AsyncClient, **fields: Any
) -> HackerNewsConnector:
    table = {"type": "hackernews", "name": "hn", "endpoint": server.url, **fields}
    return build(HackerNewsConnector, table, client=client, clock=clock)


async def test_normal_flow_maps_every_field(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.hits += [
        story_hit(
            101,
            NOW - 300,
            title="Show HN: Livebox monitor",
            url="https://livebox.example.org",
            story_text='I built <i>this</i> &amp; more:<p>see <a href="https://docs.example.org/x">docs</a>',
            points=42,
            num_comments=7,
        ),
        comment_hit(102, NOW - 200, text="Works <b>great</b> with my Livebox<p>Thanks", parent_id=101),
        story_hit(50, NOW - 99999, title="too old for the first poll's backfill window"),
    ]
    clock = RecordingClock()
    [batch] = await take(make(server, clock, client, search="livebox"), 1)
    assert fake.requests[0]["tags"] == "(story,comment)"
    assert fake.requests[0]["query"] == "livebox"  # the `search` field, sent as Algolia's query
    assert fake.requests[0]["numericFilters"].startswith("created_at_i>=")
    since = int(fake.requests[0]["numericFilters"].split(">=")[1])
    assert clock.time() - 3600 - 10 <= since <= clock.time() - 3600  # the first poll reads back backfill_s
    by_id = {post.id: post for post in batch.posts}
    story = by_id["hackernews:101"]
    assert story.source == "hackernews"
    assert story.url == "https://news.ycombinator.com/item?id=101"
    assert story.created_at == datetime.fromtimestamp(NOW - 300, UTC)
    assert story.text == "Show HN: Livebox monitor\n\nI built this & more:\nsee docs"
    assert story.links == ["https://livebox.example.org", "https://docs.example.org/x"]
    assert (story.author.handle, story.metrics.likes, story.metrics.replies) == ("pg", 42, 7)
    assert story.reply_to is None
    assert "author.followers" in story.extra["unfilled"]
    assert by_id["hackernews:102"].text == "Works great with my Livebox\nThanks"
    assert "hackernews:50" not in by_id


async def test_comment_mapping_keeps_thread_ids() -> None:
    post = map_hn_hit(comment_hit(102, NOW - 200, text="Works <b>great</b><p>Thanks", parent_id=101))
    assert (post.id, post.reply_to, post.text, post.author.handle) == (
        "hackernews:102",
        "hackernews:101",
        "Works great\nThanks",
        "dang",
    )
    assert post.extra["story_title"] == "Y Combinator" and post.metrics.likes is None


async def test_resume_has_no_gap_and_no_duplicate(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.hits += [story_hit(i, NOW - 1000 + i) for i in range(1, 6)]
    [first] = await take(make(server, RecordingClock(), client), 1)
    assert sorted(post.id for post in first.posts) == [f"hackernews:{i}" for i in range(1, 6)]
    # 250 new items (3 pages of 100), one late-indexed inside the overlap, the old ones still served.
    # Spaced 3 s apart: they span far more than the one-minute overlap.
    fake.hits += [comment_hit(1000 + i, NOW - 900 + 3 * i) for i in range(250)]
    fake.hits.append(story_hit(999, NOW - 900 + 747 - 30))
    [second] = await take(make(server, RecordingClock(), client), 1, first.checkpoint)
    ids = [post.id for post in second.posts]
    assert len(ids) == len(set(ids)) == 251
    assert set(ids) == {f"hackernews:{1000 + i}" for i in range(250)} | {"hackernews:999"}
    assert [request["page"] for request in fake.requests[1:]] == ["0", "1", "2"]
    # The next poll re-reads the overlap minute and finds nothing new; a late arrival inside it is caught.
    fake.hits.append(comment_hit(5000, NOW - 900 + 747 - 10))
    [third] = await take(make(server, RecordingClock(), client), 1, second.checkpoint)
    assert [post.id for post in third.posts] == ["hackernews:5000"]
    since = int(fake.requests[-1]["numericFilters"].split(">=")[1])
    assert since == NOW - 900 + 747 - 60
    assert json.loads(third.checkpoint or "{}")["mark"]["high"] == NOW - 900 + 747


async def test_429_without_header_backs_off_from_60_s(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.hits.append(story_hit(1, NOW - 10))
    fake.failures.push(
        Failure(429, body='{"message":"rate limited"}'), Failure(429, headers={"Retry-After": "30"})
    )
    clock = RecordingClock()
    connector = make(server, clock, client)
    [batch] = await take(connector, 1)
    assert [post.id for post in batch.posts] == ["hackernews:1"]
    assert 48 <= clock.sleeps[0] <= 72  # 60 s ± 20 %
    assert 30 <= clock.sleeps[1] <= 36  # Retry-After, never earlier
    assert connector.health.rate_limited_total == 2


async def test_server_error_is_retried(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.hits.append(story_hit(1, NOW - 10))
    fake.failures.push(Failure(502), Failure(200, body="not json"))
    clock = RecordingClock()
    [batch] = await take(make(server, clock, client), 1)
    assert [post.id for post in batch.posts] == ["hackernews:1"]
    assert len(clock.sleeps) == 2 and 4 <= clock.sleeps[0] <= 6


async def test_malformed_hits_are_skipped_and_counted(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    no_author = story_hit(2, NOW - 20)
    del no_author["author"]
    fake.hits += [
        story_hit(1, NOW - 30),
        no_author,
        story_hit(3, NOW - 15, title=""),
        "garbage",
        story_hit(4, NOW - 5),
    ]
    connector = make(server, RecordingClock(), client)
    first, second = await take(connector, 2)
    assert [post.id for post in first.posts] == ["hackernews:1", "hackernews:4"]
    reasons = [item.reason for item in first.rejected]
    assert len(reasons) == 3 and any("author" in r for r in reasons) and any("title" in r for r in reasons)
    assert connector.health.malformed_total == 3
    assert second.posts == [] and second.rejected == []  # counted once, not once per poll


async def test_refused_access_is_reported_not_retried(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.failures.push(Failure(403, body='{"message":"blocked"}'))
    connector = make(server, RecordingClock(), client)
    with pytest.raises(CredentialsError, match="access refused"):
        await take(connector, 1)
    assert len(fake.requests) == 1
    assert connector.health.state == "failed"


# -- real recorded payloads and poll options ------------------------------------------------------


def test_the_api_page_example_hit_cannot_be_a_post_and_is_kept_with_its_payload(
    client: httpx.AsyncClient,
) -> None:
    """The example answer of hn.algolia.com/api (algolia/hn-search): a real hit without its
    timestamps. No valid post can be made of it: it is refused naming the field, payload kept."""
    [hit] = real_payload("hackernews", "api_page_example.json")["hits"]
    connector = make_unserved(client)
    mapped, rejected = connector.map_items([hit], map_hn_hit)
    assert mapped == []
    [refused] = rejected
    assert refused.reason == "created_at_i: missing or not a number" and refused.payload == hit
    # With its date (as real hits carry it) the same hit maps field by field.
    post = connector.remap({**hit, "created_at_i": 1160418111})
    assert post is not None
    assert (post.id, post.url) == ("hackernews:1", "https://news.ycombinator.com/item?id=1")
    assert post.created_at == datetime(2006, 10, 9, 18, 21, 51, tzinfo=UTC)
    assert post.text == "Y Combinator" and post.links == ["https://ycombinator.com"]
    assert (post.author.handle, post.metrics.likes, post.metrics.replies) == ("pg", 57, 2)


async def test_poll_options_are_posts(
    fake: FakeHackerNews, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """A poll option has no title: its text is story_text and its poll parent_id. Written by hand in
    the shape of Algolia's pollopt hits, with the public values of HN item 3786932 (dates moved to
    now for the polling window): no client library we could cite records one."""
    fake.hits += [
        story_hit(3786926, NOW - 400, title="Poll: How long have you been programming?", _tags=["poll"]),
        {
            "created_at": datetime.fromtimestamp(NOW - 300, UTC).isoformat().replace("+00:00", "Z"),
            "title": None,
            "url": None,
            "author": "michaelkscott",
            "points": 3042,
            "story_text": "10+ years",
            "comment_text": None,
            "num_comments": None,
            "story_id": None,
            "parent_id": 3786926,
            "created_at_i": NOW - 300,
            "_tags": ["pollopt", "author_michaelkscott", "story_3786932"],
            "objectID": "3786932",
        },
    ]
    [batch] = await take(make(server, RecordingClock(), client, tags="(story,poll,pollopt)"), 1)
    assert batch.rejected == []
    option = {post.id: post for post in batch.posts}["hackernews:3786932"]
    assert option.text == "10+ years" and option.extra["poll_id"] == "hackernews:3786926"
    assert option.reply_to is None and option.metrics.likes == 3042
    assert option.url == "https://news.ycombinator.com/item?id=3786932"


def make_unserved(client: httpx.AsyncClient) -> HackerNewsConnector:
    return build(HackerNewsConnector, {"type": "hackernews", "name": "hn"}, client=client)
