"""RSS/Atom connector against the fake feed server (tests/fakes/rss.py)."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes import Failure, LocalServer, RecordingClock, real_text
from tests.fakes.rss import FakeFeeds, FeedDoc, atom_feed, rss_feed
from tests.integration.connectors.helpers import build, take
from veille.sources.connectors.rss import RssConnector

SAMPLE_ITEM = {
    "title": "First item title",
    "link": "http://example.org/item/1",
    "description": "Watch out for <span style=\"background: url(javascript:window.location='http://example.org/')\">"
    'nasty tricks</span> <a href="https://example.org/more">more</a>',
    "author": "mark@example.org",
    "category": "Miscellaneous",
    "enclosure": "http://example.org/audio/demo.mp3",
    "guid": "http://example.org/guid/1",
    "pubDate": "Thu, 05 Sep 2002 00:00:01 GMT",
}


@pytest.fixture
def fake() -> FakeFeeds:
    return FakeFeeds()


def make(
    server: LocalServer, clock: RecordingClock, client: httpx.AsyncClient, *paths: str, **fields: Any
) -> RssConnector:
    table = {"type": "rss", "name": "feeds", "feeds": [f"{server.url}{path}" for path in paths], **fields}
    return build(RssConnector, table, client=client, clock=clock)


async def test_rss_and_atom_entries_are_mapped_field_by_field(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/rss.xml"] = FeedDoc(rss_feed([SAMPLE_ITEM]))
    fake.docs["/atom.xml"] = FeedDoc(
        atom_feed(
            [
                {
                    "title": "First entry title",
                    "link": "/entry/3",
                    "id": "tag:feedparser.org,2005-11-09:/docs/examples/atom10.xml:3",
                    "published": "2005-11-09T00:23:47Z",
                    "author": "Mark Pilgrim",
                    "content": "<p>Hello <b>world</b></p><p>see <a href='https://example.com/x'>x</a></p>",
                }
            ],
            lang="fr",
        ),
        gzip=True,
        content_type="application/atom+xml",
    )
    [batch] = await take(make(server, RecordingClock(), client, "/rss.xml", "/atom.xml"), 1)
    assert batch.rejected == []
    rss, atom = sorted(batch.posts, key=lambda post: post.created_at)
    assert rss.id == "rss:http://example.org/guid/1"
    assert rss.source == "rss"
    assert rss.url == "http://example.org/item/1"
    assert rss.created_at == datetime(2002, 9, 5, 0, 0, 1, tzinfo=UTC)
    assert rss.text == "First item title\n\nWatch out for nasty tricks more"
    assert "javascript" not in rss.text
    assert rss.author.handle == "mark@example.org"
    assert rss.lang == "en"
    assert rss.links == [
        "http://example.org/item/1",
        "https://example.org/more",
        "http://example.org/audio/demo.mp3",
    ]
    assert rss.extra["feed_title"] == "Sample Feed" and rss.extra["categories"] == ["Miscellaneous"]
    assert {"metrics.likes", "author.followers"} <= set(rss.extra["unfilled"])
    assert atom.id == "rss:tag:feedparser.org,2005-11-09:/docs/examples/atom10.xml:3"
    assert atom.url == "http://example.org/entry/3"  # xml:base resolved
    assert atom.text == "First entry title\n\nHello world\n\nsee x"
    assert (atom.author.handle, atom.lang) == ("Mark Pilgrim", "fr")
    assert "https://example.com/x" in atom.links
    # The connector sends a descriptive User-Agent and the feed Accept header.
    headers = fake.requests_to("/rss.xml")[0]
    assert headers["user-agent"].startswith("Veille/") and "application/rss+xml" in headers["accept"]


async def test_conditional_get_and_resume_without_gap_or_duplicate(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    items = [
        {
            "title": f"item {i}",
            "guid": f"http://example.org/guid/{i}",
            "pubDate": f"Thu, 05 Sep 2002 00:00:0{i} GMT",
        }
        for i in range(3)
    ]
    fake.docs["/feed.xml"] = FeedDoc(rss_feed(items))
    [first] = await take(make(server, RecordingClock(), client, "/feed.xml"), 1)
    assert len(first.posts) == 3
    saved = json.loads(first.checkpoint or "{}")["feeds"][f"{server.url}/feed.xml"]
    assert (
        saved["etag"] == '"6c132-941-ad7e3080"' and saved["last_modified"] == "Fri, 11 Jun 2004 23:00:34 GMT"
    )
    # Restart from the checkpoint once the feed is due again: the validators go back verbatim, the
    # server says 304, nothing new.
    later = RecordingClock()
    later.offset = 901.0
    [second] = await take(make(server, later, client, "/feed.xml"), 1, first.checkpoint)
    sent = fake.requests_to("/feed.xml")[-1]
    assert sent["if-none-match"] == '"6c132-941-ad7e3080"'
    assert sent["if-modified-since"] == "Fri, 11 Jun 2004 23:00:34 GMT"
    assert second.posts == []
    # The feed changes: two new items, the old ones still listed, one of the new served twice, out of order.
    new = [
        {"title": "item 9", "guid": "http://example.org/guid/9", "pubDate": "Fri, 06 Sep 2002 00:00:09 GMT"},
        {"title": "item 7", "guid": "tag:x,2024:7", "pubDate": "Fri, 06 Sep 2002 00:00:07 GMT"},
    ]
    fake.update("/feed.xml", rss_feed([new[1], *items, new[0], new[1]]), etag='W/"v2"')
    later.offset = 1802.0
    [third] = await take(make(server, later, client, "/feed.xml"), 1, second.checkpoint)
    assert sorted(post.id for post in third.posts) == ["rss:http://example.org/guid/9", "rss:tag:x,2024:7"]
    assert json.loads(third.checkpoint or "{}")["feeds"][f"{server.url}/feed.xml"]["etag"] == 'W/"v2"'
    later.offset = 2703.0
    [fourth] = await take(make(server, later, client, "/feed.xml"), 1, third.checkpoint)
    assert fourth.posts == [] and fake.requests_to("/feed.xml")[-1]["if-none-match"] == 'W/"v2"'


async def test_429_waits_for_retry_after_per_feed(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/a.xml"] = FeedDoc(rss_feed([{"title": "a", "guid": "urn:a"}]))
    fake.docs["/b.xml"] = FeedDoc(rss_feed([{"title": "b", "guid": "urn:b"}]))
    fake.fail("/a.xml", Failure(429, headers={"Retry-After": "120"}))
    clock = RecordingClock()
    connector = make(server, clock, client, "/a.xml", "/b.xml", poll_interval_s=900)
    first, second = await take(connector, 2)
    assert [post.id for post in first.posts] == ["rss:urn:b"]  # the other feed is not held back
    assert clock.sleeps[0] == pytest.approx(120, abs=0.5)  # exactly Retry-After, not the poll interval
    assert [post.id for post in second.posts] == ["rss:urn:a"]
    assert len(fake.requests_to("/b.xml")) == 1  # b was not due yet at the 120 s retry
    assert connector.health.rate_limited_total == 1


async def test_server_error_backs_off_then_recovers(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/a.xml"] = FeedDoc(rss_feed([{"title": "a", "guid": "urn:a"}]))
    fake.fail("/a.xml", Failure(500), Failure(502))
    clock = RecordingClock()
    batches = await take(make(server, clock, client, "/a.xml"), 3)
    assert [post.id for batch in batches for post in batch.posts] == ["rss:urn:a"]
    assert 4 <= clock.sleeps[0] <= 6 and 8 <= clock.sleeps[1] <= 12


async def test_malformed_entries_and_feeds_are_skipped_and_counted(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/ok.xml"] = FeedDoc(
        rss_feed(
            [
                {"title": "fine", "guid": "urn:1"},
                {"guid": "urn:empty"},
                {"title": "fine too", "guid": "urn:2", "pubDate": "not a date"},
            ]
        )
    )
    fake.docs["/broken.xml"] = FeedDoc("<html><body>this is <b>not a feed", etag=None, last_modified=None)
    connector = make(server, RecordingClock(), client, "/ok.xml", "/broken.xml")
    first, second = await take(connector, 2)
    assert sorted(post.id for post in first.posts) == ["rss:urn:1", "rss:urn:2"]
    dated = {post.id: post for post in first.posts}["rss:urn:2"]
    # A date that cannot be read: dated at the fetch time, and the post says so.
    assert dated.extra["date_unparsed"] == "not a date" and "created_at" in dated.extra["unfilled"]
    assert len(first.rejected) == 1 and "neither" in first.rejected[0].reason
    assert connector.health.malformed_total >= 2  # the empty entry and the page that is not a feed
    assert "broken.xml" in (connector.health.last_error or "")
    assert second.posts == [] and second.rejected == []


async def test_refused_feed_is_reported_and_not_retried(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/private.xml"] = FeedDoc(rss_feed([{"title": "x", "guid": "urn:x"}]))
    fake.docs["/public.xml"] = FeedDoc(rss_feed([{"title": "y", "guid": "urn:y"}]))
    fake.fail("/private.xml", Failure(401, body="auth required"), Failure(401))
    connector = make(server, RecordingClock(), client, "/private.xml", "/public.xml")
    batches = await take(connector, 3)
    assert [post.id for post in batches[0].posts] == ["rss:urn:y"]
    assert len(fake.requests_to("/private.xml")) == 1
    assert "access refused" in (connector.health.last_error or "")
    state = json.loads(batches[-1].checkpoint or "{}")["feeds"][f"{server.url}/private.xml"]
    assert state["stopped"].startswith("HTTP 401")


async def test_permanent_redirect_moves_the_feed_and_gone_stops_it(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.docs["/new.xml"] = FeedDoc(rss_feed([{"title": "moved", "guid": "urn:m"}]))
    fake.redirects["/old.xml"] = (301, "/new.xml")
    fake.redirects["/tmp.xml"] = (302, "/new.xml")
    fake.gone.add("/dead.xml")
    connector = make(server, RecordingClock(), client, "/old.xml", "/tmp.xml", "/dead.xml")
    first, second = await take(connector, 2)
    assert [post.id for post in first.posts] == ["rss:urn:m"]  # same entry through both routes, once
    feeds = json.loads(second.checkpoint or "{}")["feeds"]
    assert feeds[f"{server.url}/old.xml"]["location"] == f"{server.url}/new.xml"
    assert "location" not in feeds[f"{server.url}/tmp.xml"]
    assert feeds[f"{server.url}/dead.xml"]["stopped"] == "410 Gone"
    assert len(fake.requests_to("/old.xml")) == 1 and len(fake.requests_to("/tmp.xml")) == 2
    assert len(fake.requests_to("/dead.xml")) == 1


# -- real recorded payloads (tests/fakes/data/real/rss: feedparser's test feeds) ----------------------


async def test_relative_links_resolve_against_the_feed_address(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """feedparser's own documents for "relative to document URI": an entry that is only a relative
    link, an entry whose content links to a relative URI."""
    fake.docs["/base/link.xml"] = FeedDoc(real_text("rss", "http_entry_link_base_docuri.xml"))
    fake.docs["/base/content.xml"] = FeedDoc(real_text("rss", "http_entry_content_base_docuri.xml"))
    connector = make(server, RecordingClock(), client, "/base/link.xml", "/base/content.xml")
    [batch] = await take(connector, 1)
    assert batch.rejected == []
    by_feed = {post.extra["feed_url"].rsplit("/", 1)[1]: post for post in batch.posts}
    only_link = by_feed["link.xml"]
    assert only_link.url == f"{server.url}/relative/link"
    assert only_link.text == f"{server.url}/relative/link" and only_link.extra["text_from"] == "link"
    assert only_link.links == [f"{server.url}/relative/link"]
    content = by_feed["content.xml"]
    assert content.text == "click here" and content.links == [f"{server.url}/relative/uri"]
    # Neither entry has a date: both are dated at the fetch time, and say so.
    for post in (only_link, content):
        assert post.extra["date_missing"] is True and "created_at" in post.extra["unfilled"]
        assert post.author.handle == "127.0.0.1"


async def test_dates_in_other_languages_are_read(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """feedparser reads English day and month names only; a Portuguese pubDate ("Qua, 06 Set 2023")
    became the fetch time. Hand-written items in the shape of feedparser's item_pubDate.xml."""
    fake.docs["/pt/noticias/rss.xml"] = FeedDoc(
        rss_feed(
            [
                {
                    "title": "Queda de energia",
                    "link": "noticias.jsp?id=1",
                    "guid_opaque": "n1",
                    "pubDate": "Qua, 06 Set 2023 10:00:00 -0300",
                },
                {
                    "title": "Retomada",
                    "link": "/noticias/2",
                    "guid_opaque": "n2",
                    "pubDate": "Sáb, 02 Dez 2023 08:15:00 +0000",
                },
                {"title": "Sem data legível", "guid_opaque": "n3", "pubDate": "quarta-feira passada"},
            ],
            language="pt-BR",
        )
    )
    connector = make(server, RecordingClock(), client, "/pt/noticias/rss.xml")
    [batch] = await take(connector, 1)
    posts = {post.text: post for post in batch.posts}
    first = posts["Queda de energia"]
    assert first.created_at == datetime(2023, 9, 6, 13, 0, tzinfo=UTC)
    assert first.url == f"{server.url}/pt/noticias/noticias.jsp?id=1"  # relative to the feed's address
    assert first.lang == "pt" and first.extra["lang_tag"] == "pt-BR"
    assert "created_at" not in first.extra["unfilled"]
    assert posts["Retomada"].created_at == datetime(2023, 12, 2, 8, 15, tzinfo=UTC)
    assert posts["Retomada"].url == f"{server.url}/noticias/2"
    unread = posts["Sem data legível"]
    assert (
        unread.extra["date_unparsed"] == "quarta-feira passada" and "created_at" in unread.extra["unfilled"]
    )


async def test_a_feed_that_cannot_be_reached_is_failed_not_quiet(
    fake: FakeFeeds, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """The issue's case: an unreachable feed read "Connected — all quiet" with a network error."""
    fake.docs["/news.xml"] = FeedDoc(rss_feed([{"title": "back", "guid": "urn:back"}]))
    fake.fail("/news.xml", Failure(503, body="down"))
    connector = make(server, RecordingClock(), client, "/news.xml")
    stream = connector.batches(None)
    first = await anext(stream)
    assert first.posts == []
    health = connector.health
    assert (health.state, health.connected) == ("failed", False)
    assert "HTTP 503" in (health.last_error or "") and health.next_retry_at is not None
    assert health.last_connected_at is None  # never connected: never "connected"
    second = await anext(stream)  # the feed answers again: connected
    await stream.aclose()  # type: ignore[attr-defined]
    assert [post.text for post in second.posts] == ["back"]
    assert (connector.health.state, connector.health.connected) == ("connected", True)


async def test_an_unreachable_host_is_failed_with_the_network_error(client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connector = build(
        RssConnector,
        {"type": "rss", "name": "feeds", "feeds": [f"http://127.0.0.1:{port}/feed.xml"]},
        client=client,
        clock=RecordingClock(),
    )
    stream = connector.batches(None)
    await anext(stream)
    await stream.aclose()  # type: ignore[attr-defined]
    assert (connector.health.state, connector.health.connected) == ("failed", False)
    assert "network error ConnectError" in (connector.health.last_error or "")
