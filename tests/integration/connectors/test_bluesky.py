"""Bluesky connector against the fake Jetstream and XRPC server (real WebSocket/HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes import LocalServer, RecordingClock, real_payload
from tests.fakes.bluesky import (
    FakeBluesky,
    load_jetstream_fixture,
    make_post_event,
    rate_limited,
    search_unavailable,
)
from tests.integration.connectors.helpers import build, collect
from veille.sources.connectors import CredentialsError, build_connector
from veille.sources.connectors.bluesky import BlueskyConnector


@pytest.fixture
def fake() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    bluesky = FakeBluesky()
    with LocalServer(bluesky.app) as server:
        yield bluesky, server


def _connector(
    server: LocalServer, client: httpx.AsyncClient, **fields: Any
) -> tuple[BlueskyConnector, RecordingClock]:
    clock = RecordingClock()
    table = {
        "type": "bluesky",
        "name": "bsky",
        "endpoint": f"{server.ws_url}/subscribe",
        "search_endpoint": server.url,
        "stall_timeout_s": 2.0,
        **fields,
    }
    return build(BlueskyConnector, table, client=client, clock=clock), clock


async def test_normal_flow_maps_the_captured_frames(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    frames = load_jetstream_fixture()  # reply, hashtags, link+embed, delete, identity, account
    named = {
        "did": "did:plc:q235v55g5unth4zjjdpacfdr",
        "time_us": 1779719009000000,
        "kind": "identity",
        "identity": {
            "did": "did:plc:q235v55g5unth4zjjdpacfdr",
            "handle": "rsv.bsky.social",
            "seq": 1,
            "time": "x",
        },
    }
    bluesky.scripts = [[("event", named), *[("event", frame) for frame in frames]]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client)
        got = await collect(connector, posts=3)
    reply, tagged, linked = got.posts
    assert reply.id == "bluesky:at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223"
    assert reply.url == "https://bsky.app/profile/did:plc:q235v55g5unth4zjjdpacfdr/post/3mmoojp4cd223"
    assert reply.text == "Try RSV for a good time !!" and reply.lang == "en"
    assert reply.created_at == datetime(2026, 5, 25, 14, 23, 28, 757000, tzinfo=UTC)
    assert reply.author.handle == "rsv.bsky.social" and reply.author.id == "did:plc:q235v55g5unth4zjjdpacfdr"
    assert reply.reply_to == "bluesky:at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26"
    assert reply.extra["cid"] == "bafyreicl7rzkxdrm4zz2ehbx52kuk3mvfow6p3gzfys72r5grvskxoswy4"
    assert {"author.followers", "author.name", "metrics.likes", "metrics.reposts"} <= set(
        reply.extra["unfilled"]
    )
    assert tagged.lang == "de" and tagged.extra["tags"] == ["HowToTellAiToShutUp", "IndieRebellion"]
    assert tagged.author.handle == "did:plc:tn3hni2jpphsgl6amfbb7ja6"  # no identity event seen: the DID
    assert linked.links == ["https://www.youtube.com/watch?v=V5lDo-jw8mA"]
    assert got.checkpoint == "1783175888172335"  # the greatest time_us, not the last one
    [connection] = bluesky.connections
    assert connection == {"cursor": [], "wantedCollections": ["app.bsky.feed.post"]}


async def test_keyword_and_hashtag_matching_by_the_hub(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    frames = load_jetstream_fixture()
    # The non-matching post goes first: frames are read in order, so it is counted as filtered
    # before the two matching posts that end the collection arrive (no race with the batching).
    bluesky.scripts = [[("event", frame) for frame in [frames[2], frames[0], frames[1], *frames[3:]]]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, keywords=["rsv"], hashtags=["#indierebellion"])
        got = await collect(connector, posts=2)
        assert [post.text[:10] for post in got.posts] == ["Try RSV fo", "#HowToTell"]
        assert connector.health.filtered_total >= 1
        # the hub's own query filter applies on top
        keep_german = build_connector(
            {"type": "bluesky", "name": "b2", "endpoint": f"{server.ws_url}/subscribe"},
            http_client=client,
            query_filter=lambda post: post.lang == "de",
            environ={},
        )
        bluesky.scripts = [[("event", frame) for frame in load_jetstream_fixture()]]
        only = await collect(keep_german, posts=1)
    assert [post.lang for post in only.posts] == ["de"]


async def test_resume_after_drop_rewinds_the_cursor_without_gap_or_duplicate(
    fake: tuple[FakeBluesky, LocalServer],
) -> None:
    bluesky, server = fake
    base = 1_780_000_000_000_000
    first = [make_post_event(base + 1_000_000, "one"), make_post_event(base + 3_000_000, "two")]
    # out of order as in real captures: "three" has a smaller time_us than "two"
    while_down = [make_post_event(base + 2_500_000, "three"), make_post_event(base + 4_000_000, "four")]
    bluesky.scripts = [
        [*[("event", e) for e in first], ("drop",)],
        [("event", make_post_event(base + 5_000_000, "five"))],
    ]

    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, cursor_rewind_s=1.0)
        original_session = connector._session

        async def session_publishing_during_the_drop() -> Any:
            if connector.health.reconnects_total == 1 and len(bluesky.log) == 2:
                bluesky.log.extend(while_down)
            async for batch in original_session():
                yield batch

        connector._session = session_publishing_during_the_drop  # type: ignore[method-assign]
        got = await collect(connector, posts=5)
    assert [post.text for post in got.posts] == ["one", "two", "three", "four", "five"]
    assert bluesky.connections[1]["cursor"] == [str(base + 3_000_000 - 1_000_000)]
    assert got.checkpoint == str(base + 5_000_000)
    assert connector.health.duplicates_total == 1  # "two" replayed by the rewind, dropped
    assert clock.sleeps == [0.0]


async def test_restart_from_checkpoint(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    base = 1_780_000_000_000_000
    bluesky.log = [make_post_event(base + n * 1_000_000, f"post {n}") for n in range(10)]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, cursor_rewind_s=2.0)
        got = await collect(connector, str(base + 6_000_000), posts=6)
    assert [post.text for post in got.posts] == [f"post {n}" for n in range(4, 10)]  # rewound by 2 s
    assert bluesky.connections[0]["cursor"] == [str(base + 4_000_000)]


def _view(number: int) -> dict[str, Any]:
    did = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3kahe{number:05d}",
        "cid": f"bafy{number}",
        "author": {"did": did, "handle": "test.marshal.dev", "displayName": "Python SDK", "labels": []},
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2023-09-28T12:49:36.735Z",
            "langs": ["en"],
            "text": f"livebox post {number}",
        },
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 3,
        "quoteCount": 4,
        "indexedAt": "2023-09-28T12:49:36.735Z",
        "labels": [],
    }


async def test_search_backfill_waits_for_the_reset_after_429(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    bluesky.search_posts = [_view(n) for n in range(150)]
    reset = int(time.time()) + 90
    bluesky.search_failures.push(rate_limited(reset))
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(
            server, client, identifier="alice.test", app_password="app-pass-1234", backfill_query="livebox"
        )
        got = await collect(connector, posts=150)
    assert len(set(got.ids)) == 150
    first = got.posts[0]
    assert (first.author.handle, first.author.name) == ("test.marshal.dev", "Python SDK")
    assert (first.metrics.likes, first.metrics.reposts, first.metrics.replies) == (3, 2, 1)
    assert first.url == "https://bsky.app/profile/test.marshal.dev/post/3kahe00000"
    assert len(clock.sleeps) == 1 and 85 <= clock.sleeps[0] <= 90 * 1.2 + 1
    assert [request.get("cursor") for request in bluesky.search_requests] == [None, None, "100"]


async def test_search_403_html_is_not_a_credential_error(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    bluesky.search_failures.push(search_unavailable())
    bluesky.scripts = [[("event", make_post_event(1_780_000_000_000_000, "live"))]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(
            server, client, identifier="alice.test", app_password="app-pass-1234", backfill_query="livebox"
        )
        got = await collect(connector, posts=1)
    assert got.posts[0].text == "live"
    assert "search unavailable" in (connector.health.last_error or "")


async def test_malformed_frames_are_counted_and_skipped(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    no_text = make_post_event(1_780_000_000_000_001, "x")
    del no_text["commit"]["record"]["text"]
    bluesky.scripts = [
        [
            ("raw", "{not json"),
            ("raw", "[1, 2, 3]"),
            ("event", no_text),
            ("event", make_post_event(1_780_000_000_000_002, "fine")),
        ]
    ]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client)
        got = await collect(connector, posts=1)
    assert got.posts[0].text == "fine"
    assert connector.health.malformed_total == 3
    reasons = [rejected.reason for batch in got.batches for rejected in batch.rejected]
    assert any("text" in reason for reason in reasons)
    assert clock.sleeps == []


async def test_bad_app_password_stops_with_a_clear_message(fake: tuple[FakeBluesky, LocalServer]) -> None:
    _, server = fake
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(
            server, client, identifier="alice.test", app_password="wrong-pass", backfill_query="livebox"
        )
        with pytest.raises(CredentialsError, match=r"HTTP 401 .*credentials refused"):
            await collect(connector)
    assert clock.sleeps == [] and connector.health.state == "failed"
    assert "wrong-pass" not in repr(connector)


# -- real recorded payloads; authors' handles -----------------------------------------------------

README_DID = "did:plc:ufbl4k27gp6kzas5glhz7fim"


def _profile(did: str, handle: str, followers: int) -> dict[str, Any]:
    """An app.bsky.actor.defs#profileViewDetailed (the lexicon's fields)."""
    return {
        "did": did,
        "handle": handle,
        "displayName": handle.split(".")[0].title(),
        "followersCount": followers,
    }


async def test_identity_events_name_the_authors(fake: tuple[FakeBluesky, LocalServer]) -> None:
    """Jetstream's README identity event, then a post by that account (written for the test: no
    public capture has both): the handle is the identity's, not the DID."""
    bluesky, server = fake
    identity = real_payload("bluesky", "jetstream_readme_identity.json")
    post = make_post_event(identity["time_us"] + 1, "bonjour", did=README_DID)
    anonymous = make_post_event(identity["time_us"] + 2, "salut", did="did:plc:nobodyknows")
    bluesky.scripts = [[("event", identity), ("event", post), ("event", anonymous)]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client)
        got = await collect(connector, posts=2)
    named, unknown = got.posts
    assert named.author.handle == "yohenrique.bsky.social" and named.author.id == README_DID
    assert "handle_is_did" not in named.extra and "author.handle" not in named.extra["unfilled"]
    # Without credentials nor profiles_endpoint nothing else can name an author: the DID, flagged.
    assert unknown.author.handle == "did:plc:nobodyknows" and unknown.extra["handle_is_did"] is True
    assert "author.handle" in unknown.extra["unfilled"]
    assert bluesky.profile_requests == []


async def test_unknown_authors_are_looked_up_25_at_a_time_and_cached(
    fake: tuple[FakeBluesky, LocalServer],
) -> None:
    bluesky, server = fake
    base = 1_780_000_000_000_000
    dids = [f"did:plc:author{n:03d}" for n in range(30)]
    bluesky.profiles = {did: _profile(did, f"author{n}.bsky.social", n * 10) for n, did in enumerate(dids)}
    events = [make_post_event(base + n, f"post {n}", did=did) for n, did in enumerate(dids)]
    again = make_post_event(base + 100, "again", did=dids[3])
    bluesky.scripts = [[*[("event", event) for event in events], ("sleep", 0.2), ("event", again)]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, profiles_endpoint=server.url)
        got = await collect(connector, posts=31)
    by_text = {post.text: post for post in got.posts}
    third = by_text["post 3"]
    assert (third.author.handle, third.author.name, third.author.followers) == (
        "author3.bsky.social",
        "Author3",
        30,
    )
    assert (
        "author.followers" not in third.extra["unfilled"] and "author.handle" not in third.extra["unfilled"]
    )
    assert by_text["again"].author.handle == "author3.bsky.social"
    assert all(not post.extra.get("handle_is_did") for post in got.posts)
    # At most 25 actors a call (the AppView's limit), every DID asked once: the cache answers the rest.
    assert all(1 <= len(actors) <= 25 for actors in bluesky.profile_requests)
    asked = [did for actors in bluesky.profile_requests for did in actors]
    assert sorted(asked) == sorted(set(asked)) == sorted(dids)


async def test_profile_look_ups_are_chunked_by_25(fake: tuple[FakeBluesky, LocalServer]) -> None:
    bluesky, server = fake
    dids = [f"did:plc:author{n:03d}" for n in range(30)]
    bluesky.profiles = {did: _profile(did, f"author{n}.bsky.social", n) for n, did in enumerate(dids)}
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, profiles_endpoint=server.url)
        frames = [
            json.dumps(make_post_event(1_780_000_000_000_000 + n, "x", did=did)) for n, did in enumerate(dids)
        ]
        mapped, _rejected, _checkpoint = connector._map_group(frames)
        resolved = await connector._with_profiles(mapped)
    assert [len(actors) for actors in bluesky.profile_requests] == [25, 5]
    assert [post.author.handle for post, _ in resolved] == [f"author{n}.bsky.social" for n in range(30)]


def test_the_handle_cache_is_bounded_and_an_identity_without_handle_forgets() -> None:
    connector = build(
        BlueskyConnector, {"type": "bluesky", "name": "b", "handle_cache_size": 2}, client=httpx.AsyncClient()
    )
    frames = [
        json.dumps(
            {
                "did": f"did:plc:{n}",
                "time_us": n + 1,
                "kind": "identity",
                "identity": {"handle": f"h{n}.test"},
            }
        )
        for n in range(3)
    ]
    connector._batch(frames)
    assert [connector.handle_of(f"did:plc:{n}") for n in range(3)] == [None, "h1.test", "h2.test"]
    # The recorded capture's identity event has no handle: the cached one may be stale, it is dropped.
    [no_handle] = [frame for frame in load_jetstream_fixture() if frame["kind"] == "identity"]
    connector._batch([json.dumps({**no_handle, "did": "did:plc:2"})])
    assert connector.handle_of("did:plc:2") is None


async def test_a_recorded_post_view_without_text_is_skipped_not_refused(
    fake: tuple[FakeBluesky, LocalServer],
) -> None:
    """The atproto SDK's recorded thread: a quote with an image and no text nor alt text. Nothing to
    read: skipped (not a malformed item); the same view with text maps field by field."""
    bluesky, server = fake
    view = real_payload("bluesky", "thread_view_post_with_embed_media.json")["thread"]["post"]
    with_text = {**view, "uri": view["uri"] + "x", "record": {**view["record"], "text": "regardez ça"}}
    bluesky.search_posts = [view, with_text]
    bluesky.scripts = [[("event", make_post_event(1_780_000_000_000_000, "live"))]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(
            server, client, identifier="alice.test", app_password="app-pass-1234", backfill_query="python"
        )
        got = await collect(connector, posts=2)
    assert [batch.rejected for batch in got.batches if batch.rejected] == []
    post = got.posts[0]
    assert post.id == "bluesky:at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22x"
    assert post.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22x"
    assert post.created_at == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)
    assert (post.author.handle, post.author.name) == ("test.marshal.dev", "Python SDK")
    assert post.quote_of == "bluesky:at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
    assert post.lang == "en" and (post.metrics.likes, post.metrics.reposts, post.metrics.replies) == (0, 0, 0)
    assert post.extra["cid"] == "bafyreigb666sdjyyaczcahxmf5tzh7dec6bwr3nhdab7llebn7vhsxzgr4"
