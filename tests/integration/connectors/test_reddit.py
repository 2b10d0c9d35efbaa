"""Reddit connector against the fake Reddit (tests/fakes/reddit.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes import LocalServer, RecordingClock, real_payload
from tests.fakes.reddit import FakeReddit, Fault, comment, submission
from tests.integration.connectors.helpers import build, take
from veille.contracts import SourceBatch
from veille.sources.connectors import CredentialsError, build_connector
from veille.sources.connectors.reddit import RedditConnector, RedditPacer, map_reddit_child

NOW = datetime.now(UTC).timestamp()
UA = "server:org.example.veille:v0.1 (by /u/veille_test)"


@pytest.fixture
def fake() -> FakeReddit:
    return FakeReddit()


def make(
    server: LocalServer, clock: RecordingClock, client: httpx.AsyncClient, **fields: Any
) -> RedditConnector:
    table: dict[str, Any] = {
        "type": "reddit",
        "name": "reddit-fr",
        "endpoint": server.url,
        "auth_endpoint": server.url,
        "client_id": "app-id",
        "client_secret": "app-secret",
        "user_agent": UA,
        "subreddits": ["france"],
        **fields,
    }
    return build(RedditConnector, table, client=client, clock=clock)


async def test_normal_flow_maps_every_field(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions += [
        submission(
            "48fbm9",
            NOW - 100,
            title="Ma box est en panne",
            selftext="Depuis ce matin, voir https://status.example.org/fr",
            score=12,
            num_comments=3,
        ),
        submission(
            "48fbma", NOW - 90, title="Lien", is_self=False, url="https://news.example.com/a", score=-3
        ),
    ]
    fake.comments += [comment("d4y8bdp", NOW - 80, body="Pareil chez moi", parent="t3_48fbm9", score=2)]
    clock = RecordingClock()
    [batch] = await take(make(server, clock, client), 1)

    by_id = {post.id: post for post in batch.posts}
    assert set(by_id) == {"reddit:t3_48fbm9", "reddit:t3_48fbma", "reddit:t1_d4y8bdp"}
    post = by_id["reddit:t3_48fbm9"]
    assert post.source == "reddit"
    assert post.text == "Ma box est en panne\n\nDepuis ce matin, voir https://status.example.org/fr"
    assert post.url == "https://www.reddit.com/r/france/comments/48fbm9/slug/"
    assert post.created_at == datetime.fromtimestamp(NOW - 100, UTC)
    assert post.author.handle == "RedHeadQc"
    assert post.links == ["https://status.example.org/fr"]
    assert (post.metrics.likes, post.metrics.replies) == (12, 3)
    assert post.reply_to is None
    assert post.extra["subreddit"] == "france"
    assert "author.followers" in post.extra["unfilled"]
    link_post = by_id["reddit:t3_48fbma"]
    assert link_post.links == ["https://news.example.com/a"]
    assert (
        link_post.metrics.likes == 0 and link_post.extra["score"] == -3
    )  # negative score is not a like count
    reply = by_id["reddit:t1_d4y8bdp"]
    assert (reply.text, reply.reply_to, reply.author.handle) == (
        "Pareil chez moi",
        "reddit:t3_48fbm9",
        "preppypuppy",
    )
    assert reply.extra["link_id"] == "t3_aaa"
    assert [post.id for post in batch.posts] == sorted(by_id, key=lambda key: by_id[key].created_at)
    assert batch.rejected == []
    # OAuth app-only: one token, listings with bearer, our User-Agent everywhere.
    assert fake.token_requests == 1
    assert all(agent == UA for agent in fake.user_agents)
    assert any(path.startswith("/r/france/new?") and "raw_json=1" in path for path in fake.listing_requests)
    assert json.loads(batch.checkpoint or "{}")["new"]["high"] == pytest.approx(NOW - 90)


async def test_resume_from_checkpoint_has_no_gap_and_no_duplicate(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions += [submission(f"old{i}", NOW - 5000 + i, title=f"old {i}") for i in range(5)]
    [first] = await take(make(server, RecordingClock(), client, listings=["new"]), 1)
    assert len(first.posts) == 5
    # While the hub was down: 230 new posts (3 pages of 100), plus an old one served again.
    # Spaced 10 s apart: they span far more than the overlap window, as after a long outage.
    fresh = [submission(f"new{i:03d}", NOW - 3000 + 10 * i, title=f"new {i}") for i in range(230)]
    fake.submissions += [*fresh, submission("old4", NOW - 5000 + 4, title="old 4")]
    [second] = await take(make(server, RecordingClock(), client, listings=["new"]), 1, first.checkpoint)
    got = [post.id for post in second.posts]
    assert len(got) == len(set(got)) == 230
    assert set(got) == {f"reddit:t3_new{i:03d}" for i in range(230)}
    assert sum("/r/france/new" in path for path in fake.listing_requests) == 1 + 3
    # Replaying the same checkpoint (a crash before commit) gives the same posts again: at-least-once.
    [replay] = await take(make(server, RecordingClock(), client, listings=["new"]), 1, first.checkpoint)
    assert {post.id for post in replay.posts} == set(got)
    # A late-indexed post, older than the newest seen but inside the overlap window, and duplicates.
    fake.submissions += [submission("late", NOW - 3000 + 2290 - 100, title="late"), fresh[-1], fresh[-2]]
    [third] = await take(make(server, RecordingClock(), client, listings=["new"]), 1, second.checkpoint)
    assert [post.id for post in third.posts] == ["reddit:t3_late"]
    [fourth] = await take(make(server, RecordingClock(), client, listings=["new"]), 1, third.checkpoint)
    assert fourth.posts == []


async def test_waits_for_the_reset_header_after_429(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions.append(submission("abc", NOW - 10))
    fake.faults.append(
        Fault(
            429,
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-used": "1000", "x-ratelimit-reset": "42"},
            path_contains="/r/",
        )
    )
    clock = RecordingClock()
    connector = make(server, clock, client, listings=["new"])
    [batch] = await take(connector, 1)
    assert [post.id for post in batch.posts] == ["reddit:t3_abc"]
    assert len(clock.sleeps) >= 1
    wait = clock.sleeps[0]
    assert 42 * 0.99 <= wait <= 42 * 1.2 + 1  # until the reset, with late-only jitter
    assert connector.health.rate_limited_total == 1


def test_pacer_follows_prawcore() -> None:
    pacer = RedditPacer()
    headers = httpx.Headers(
        {"x-ratelimit-remaining": "598.0", "x-ratelimit-used": "2", "x-ratelimit-reset": "479"}
    )
    pacer.update(headers, now=1000.0)
    assert pacer.delay(1000.0) == 0  # plenty of budget left
    pacer.update(
        httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-used": "1000", "x-ratelimit-reset": "17"}),
        1000.0,
    )
    assert pacer.delay(1000.0) == 17
    # 10 requests left for 300 s: 600 - 600/(1000)*990 = 6; 300 - 6 = 294, capped at 10 s per request
    pacer.update(
        httpx.Headers({"x-ratelimit-remaining": "10", "x-ratelimit-used": "990", "x-ratelimit-reset": "300"}),
        0.0,
    )
    assert pacer.delay(0.0) == 10


async def test_server_errors_back_off_then_recover(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions.append(submission("abc", NOW - 10))
    fake.faults += [
        Fault(503, path_contains="/r/"),
        Fault(200, body="<html>oops</html>", path_contains="/r/"),
    ]
    clock = RecordingClock()
    [batch] = await take(make(server, clock, client, listings=["new"]), 1)
    assert [post.id for post in batch.posts] == ["reddit:t3_abc"]
    assert 4 <= clock.sleeps[0] <= 6 and 8 <= clock.sleeps[1] <= 12  # 5 s then 10 s, ±20 %


async def test_malformed_items_are_skipped_and_counted(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    broken_time = submission("bad1", NOW - 50)
    del broken_time["data"]["created_utc"]
    no_title = submission("bad2", NOW - 40, title=None)
    fake.submissions += [
        submission("ok1", NOW - 60),
        broken_time,
        no_title,
        {"kind": "t5", "data": {"id": "x", "name": "t5_x", "created_utc": NOW - 30}},
        "not an object",  # type: ignore[list-item]
        submission("ok2", NOW - 20),
    ]
    fake.comments += [comment("gone", NOW - 10, body="[deleted]")]
    connector = make(server, RecordingClock(), client)
    batches = await take(connector, 2)
    assert sorted(post.id for post in batches[0].posts) == ["reddit:t3_ok1", "reddit:t3_ok2"]
    reasons = " | ".join(item.reason for item in batches[0].rejected)
    assert len(batches[0].rejected) == 4
    assert "created_utc" in reasons and "title" in reasons and "kind" in reasons
    # A deleted comment is no post, and not a malformed item either.
    assert "deleted" not in reasons and "reddit:t1_gone" not in [post.id for post in batches[0].posts]
    assert connector.health.malformed_total == 4
    # Each refused item keeps its raw payload for the dead-letter table.
    assert [item.payload for item in batches[0].rejected][-1] == "not an object"
    # The next poll does not count the same broken items again.
    assert batches[1].posts == [] and batches[1].rejected == []


async def test_bad_client_secret_is_reported_once(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    connector = make(server, RecordingClock(), client, client_secret="wrong")
    with pytest.raises(CredentialsError, match="client_id/client_secret refused"):
        await take(connector, 1)
    assert fake.token_requests == 1
    assert connector.health.state == "failed"
    assert "wrong" not in str(connector.config) and "***" in str(connector.config)


async def test_bad_password_is_reported_once(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.username, fake.password = "bot", "right"
    connector = make(server, RecordingClock(), client, username="bot", password="wrong")
    with pytest.raises(CredentialsError, match="invalid_grant"):
        await take(connector, 1)
    assert fake.token_requests == 1


async def test_expired_token_is_renewed_once(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions.append(submission("abc", NOW - 10))
    connector = make(server, RecordingClock(), client, listings=["new"])
    batches: list[SourceBatch] = []
    async for batch in connector.batches(None):
        batches.append(batch)
        if len(batches) == 1:
            fake.revoke_tokens()
            fake.submissions.append(submission("def", NOW - 5))
        else:
            break
    assert [post.id for post in batches[1].posts] == ["reddit:t3_def"]
    assert fake.token_requests == 2


async def test_listing_401_with_fresh_token_stops(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.faults += [Fault(401, path_contains="/r/"), Fault(401, path_contains="/r/")]
    with pytest.raises(CredentialsError, match="fresh token"):
        await take(make(server, RecordingClock(), client, listings=["new"]), 1)
    assert fake.token_requests == 2


async def test_private_subreddit_is_skipped_and_reported(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.private_subs.add("secret")
    fake.submissions.append(submission("abc", NOW - 10))
    connector = make(server, RecordingClock(), client, subreddits=["secret"], search="abc")
    [batch] = await take(connector, 1)
    assert batch.posts == []
    assert "403" in (connector.health.last_error or "")


async def test_search_feed_uses_sort_new(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.submissions += [
        submission("a1", NOW - 10, title="Livebox en panne"),
        submission("a2", NOW - 9, title="Autre"),
    ]
    connector = make(server, RecordingClock(), client, subreddits=[], listings=[], search="livebox")
    [batch] = await take(connector, 1)
    assert [post.id for post in batch.posts] == ["reddit:t3_a1"]
    assert any(path.startswith("/search?") and "sort=new" in path for path in fake.listing_requests)


def test_config_rejects_default_user_agent() -> None:
    with pytest.raises(ValueError, match="user_agent"):
        build_connector(
            {
                "type": "reddit",
                "name": "r",
                "client_id": "a",
                "client_secret": "b",
                "user_agent": "python-requests/2",
                "subreddits": ["x"],
            },
            http_client=httpx.AsyncClient(),
            environ={},
        )


def test_a_deleted_or_removed_comment_is_no_post() -> None:
    assert map_reddit_child(comment("x", NOW, body="[removed]")) is None
    assert map_reddit_child(comment("y", NOW, body="[deleted]")) is None


# -- real recorded payloads (tests/fakes/data/real/reddit, PRAW's cassettes) ----------------------


def _children(name: str) -> list[dict[str, Any]]:
    body = real_payload("reddit", name)
    listing = body[0] if isinstance(body, list) else body  # /comments/ID answers [post, comments]
    return list(listing["data"]["children"])


async def test_real_listings_map_field_by_field(
    fake: FakeReddit, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """A self post and its deleted comment (2016) and a crosspost (2017), served as listings."""
    [self_post] = _children("praw_comments_52o2fl.json")
    [deleted] = _children("praw_info_deleted_comment.json")
    [crosspost] = _children("praw_comments_6vx8n0_crosspost.json")
    fake.submissions += [self_post, crosspost]
    fake.comments += [deleted]
    connector = make(server, RecordingClock(), client, subreddits=["test", "<TEST_SUBREDDIT>"])
    [batch] = await take(connector, 1)
    posts = {post.id: post for post in batch.posts}
    assert sorted(posts) == ["reddit:t3_52o2fl", "reddit:t3_6vx8n0"]
    post = posts["reddit:t3_52o2fl"]
    assert post.url == "https://www.reddit.com/r/test/comments/52o2fl/testing_define_bot/"
    assert post.created_at == datetime(2016, 9, 14, 1, 12, 3, tzinfo=UTC)
    assert post.text == "testing define bot!\n\ntest" and post.links == []
    assert (post.author.handle, post.author.id) == ("CorvetteCole", None)
    assert (post.metrics.likes, post.metrics.replies, post.metrics.reposts) == (1, 19, None)
    assert post.extra["subreddit"] == "test" and post.extra["domain"] == "self.test"
    # A crosspost repeats another submission: its crosspost_parent is the repost.
    shared = posts["reddit:t3_6vx8n0"]
    assert shared.repost_of == "reddit:t3_6vx01b"
    assert shared.url == "https://www.reddit.com/r/<TEST_SUBREDDIT>/comments/6vx8n0/test_title/"
    assert shared.links == ["https://www.reddit.com/r/reddit_api_test/comments/6vx01b/test_title/"]
    assert shared.text == "Test Title" and shared.author.handle == "<USERNAME>"
    # The deleted comment is no post and no malformed item: nothing is refused.
    assert batch.rejected == [] and connector.health.malformed_total == 0


def test_urls_without_permalink_and_relative_crosspost_urls() -> None:
    """Old listings have no permalink (the recorded 2016 comment, its text restored to be a post);
    newer crossposts give their target as a path (the recorded crosspost, url made relative)."""
    [deleted] = _children("praw_info_deleted_comment.json")
    restored = {**deleted, "data": {**deleted["data"], "body": "the define bot works"}}
    assert "permalink" not in restored["data"]
    post = map_reddit_child(restored)
    assert post is not None and post.url == "https://www.reddit.com/comments/52o2fl/_/d7ltvl0/"
    assert post.reply_to == "reddit:t3_52o2fl" and post.extra["link_id"] == "t3_52o2fl"
    [crosspost] = _children("praw_comments_6vx8n0_crosspost.json")
    relative = {
        **crosspost,
        "data": {**crosspost["data"], "url": "/r/reddit_api_test/comments/6vx01b/test_title/"},
    }
    shared = map_reddit_child(relative)
    assert shared is not None and shared.repost_of == "reddit:t3_6vx01b"
    assert shared.links == ["https://www.reddit.com/r/reddit_api_test/comments/6vx01b/test_title/"]
