"""Mastodon connector against the fake instance (real HTTP, SSE and WebSocket on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.fakes import LocalServer, RecordingClock, real_payload
from tests.fakes.mastodon import FakeMastodon, make_status, rate_limited
from tests.integration.connectors.helpers import build, collect
from veille.sources.connectors import CredentialsError
from veille.sources.connectors.mastodon import MastodonConnector, SseParser

DOCS_STATUS = json.loads((Path(__file__).parents[2] / "fakes" / "data" / "mastodon_update.json").read_text())


@pytest.fixture
def fake() -> Iterator[tuple[FakeMastodon, LocalServer]]:
    mastodon = FakeMastodon()
    with LocalServer(mastodon.app) as server:
        yield mastodon, server


def _connector(
    server: LocalServer, client: httpx.AsyncClient, **fields: object
) -> tuple[MastodonConnector, RecordingClock]:
    clock = RecordingClock()
    table = {
        "type": "mastodon",
        "name": "masto",
        "endpoint": server.url,
        "access_token": "good-token",
        "hashtags": ["livebox"],
        "stall_timeout_s": 0.5,
        **fields,
    }
    return build(MastodonConnector, table, client=client, clock=clock), clock


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_normal_flow_maps_every_field(fake: tuple[FakeMastodon, LocalServer], transport: str) -> None:
    mastodon, server = fake
    boost = make_status(
        900, text="boosting", reblog=make_status(800, text="original livebox é", tags=["livebox"])
    )
    reply = make_status(901, text="a reply", in_reply_to_id="850", tags=["livebox"])
    mastodon.scripts.append(
        [
            ("update", DOCS_STATUS),
            ("heartbeat",),
            ("delete", "107214471804101576"),
            ("update", boost),
            ("update", reply),
        ]
    )
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, transport=transport, initial_backfill=False)
        got = await collect(connector, posts=3)
    host = f"127.0.0.1:{server.port}"
    first = got.posts[0]
    assert first.id == f"mastodon:{host}/108914354907984653"
    assert first.source == "mastodon"
    assert first.url == "https://mstdn.jp/@aiueohisama/108914354891945610"
    assert first.created_at == datetime(2022, 8, 30, 23, 12, 47, tzinfo=UTC)
    assert first.text.startswith("処女の子が「処女だから") and first.text.endswith("身につけた方がいい")
    assert "<p>" not in first.text
    assert first.lang == "en"
    author = first.author
    assert (author.id, author.handle, author.name, author.followers) == (
        "272619",
        "aiueohisama@mstdn.jp",
        "💎🌻陽菜💙💛",
        182,
    )
    assert author.bio == "とっても素直で真面目なOLでし！"
    assert (first.metrics.likes, first.metrics.reposts, first.metrics.replies, first.metrics.views) == (
        0,
        0,
        0,
        None,
    )
    assert first.reply_to is None and first.repost_of is None and first.quote_of is None
    assert first.extra["uri"] == "https://mstdn.jp/users/aiueohisama/statuses/108914354891945610"
    assert first.extra["unfilled"] == ["metrics.views"]
    second = got.posts[1]
    assert second.repost_of == f"mastodon:{host}/800" and second.text.startswith("original livebox é")
    assert second.extra["tags"] == ["livebox"]
    assert got.posts[2].reply_to == f"mastodon:{host}/850"
    assert got.checkpoint == "108914354907984653"  # the greatest id, not the last one
    [connection] = mastodon.connections
    if transport == "websocket":
        assert connection["streams"] == [{"type": "subscribe", "stream": "hashtag", "tag": "livebox"}]
    else:
        assert connection["path"] == "hashtag" and connection["tag"] == "livebox"
    assert connector.health.posts_total == 3 and connector.health.malformed_total == 0


def test_sse_parser_joins_split_multibyte_characters_and_multiline_data() -> None:
    parser = SseParser()
    payload = 'event: update\ndata: {"a":\n data: "é"}\n\n'.replace("\n data", "\ndata").encode()
    cut = payload.index("é".encode()) + 1  # inside the two-byte character
    events = parser.feed(b":)\n" + payload[:cut]) + parser.feed(payload[cut:])
    assert events[1:] == [("update", '{"a":\n"é"}')]


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_resume_after_drop_fills_the_gap_without_duplicates(
    fake: tuple[FakeMastodon, LocalServer], transport: str
) -> None:
    mastodon, server = fake
    statuses = [make_status(100 + n, text=f"post {n}", tags=["livebox"]) for n in range(1, 7)]
    # 101-102 arrive live, then the stream drops; 103-104 are published while disconnected (REST only);
    # the new stream repeats 104 (overlap) and brings 105.
    mastodon.statuses = statuses[:4]
    mastodon.scripts = [
        [("update", statuses[0]), ("update", statuses[1]), ("drop",)],
        [("update", statuses[3]), ("update", statuses[4])],
    ]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, transport=transport, initial_backfill=False)
        got = await collect(connector, posts=5)
    host = f"127.0.0.1:{server.port}"
    assert got.ids == [f"mastodon:{host}/{n}" for n in (101, 102, 103, 104, 105)]
    assert got.checkpoint == "105"
    gap_requests = [request for request in mastodon.rest_requests if "min_id" in request]
    assert gap_requests[0]["min_id"] == "102" and gap_requests[0]["path"] == "/api/v1/timelines/tag/livebox"
    assert connector.health.reconnects_total == 1 and connector.health.duplicates_total >= 1
    assert clock.sleeps == [0.0]  # the first reconnect is immediate


async def test_restart_from_checkpoint_reads_rest_then_stream(fake: tuple[FakeMastodon, LocalServer]) -> None:
    mastodon, server = fake
    statuses = [make_status(200 + n, tags=["livebox"]) for n in range(1, 50)]
    mastodon.statuses = statuses
    mastodon.scripts = [[("update", statuses[-1]), ("update", make_status(300, tags=["livebox"]))]]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, backfill_pages=5)
        got = await collect(connector, "210", posts=40)
    numbers = [int(post_id.rsplit("/", 1)[1]) for post_id in got.ids]
    assert numbers == [*range(211, 250), 300]  # two REST pages (40 + 9), then the live one; 249 once
    assert got.checkpoint == "300"


async def test_waits_until_the_reset_after_429(fake: tuple[FakeMastodon, LocalServer]) -> None:
    mastodon, server = fake
    mastodon.statuses = [make_status(101, tags=["livebox"])]
    reset = datetime.now(UTC) + timedelta(seconds=120)
    mastodon.rest_failures.push(rate_limited(reset))
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client)
        got = await collect(connector, "100", posts=1)
    assert got.ids[-1].endswith("/101")
    assert len(clock.sleeps) == 1
    assert 115 <= clock.sleeps[0] <= 120 * 1.2 + 1  # until the ISO 8601 reset, never earlier (-clock drift)
    assert connector.health.rate_limited_total == 1


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_malformed_frames_are_counted_and_skipped(
    fake: tuple[FakeMastodon, LocalServer], transport: str
) -> None:
    mastodon, server = fake
    broken_status = make_status(102)
    del broken_status["account"]
    if transport == "websocket":
        bad = [("raw", "not json"), ("raw", json.dumps({"event": "update", "payload": {"id": "1"}}))]
    else:
        bad = [("raw", "event: update\ndata: {not json\n\n"), ("raw", "event: update\ndata: [1, 2]\n\n")]
    mastodon.scripts = [[*bad, ("update", broken_status), ("update", make_status(103, tags=["livebox"]))]]
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, transport=transport, initial_backfill=False)
        got = await collect(connector, posts=1)
    assert got.ids[0].endswith("/103")
    assert connector.health.malformed_total == 3
    reasons = [rejected.reason for batch in got.batches for rejected in batch.rejected]
    assert len(reasons) == 3 and any("account" in reason for reason in reasons)
    assert clock.sleeps == []  # no reconnect


@pytest.mark.parametrize("transport", ["websocket", "sse"])
async def test_bad_token_stops_with_a_clear_message(
    fake: tuple[FakeMastodon, LocalServer], transport: str
) -> None:
    _, server = fake
    async with httpx.AsyncClient() as client:
        connector, clock = _connector(server, client, transport=transport, access_token="wrong")
        with pytest.raises(CredentialsError, match="credentials refused"):
            await collect(connector)
    assert clock.sleeps == []
    assert connector.health.state == "failed" and "401" in (connector.health.last_error or "")
    assert "wrong" not in repr(connector)


async def test_sse_stall_triggers_reconnect(fake: tuple[FakeMastodon, LocalServer]) -> None:
    mastodon, server = fake
    mastodon.heartbeat_s = 5.0  # slower than the stall timeout
    mastodon.scripts = [
        [("update", make_status(101, tags=["livebox"])), ("stall", 2.0)],
        [("update", make_status(102))],
    ]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(
            server, client, transport="sse", initial_backfill=False, stall_timeout_s=0.3
        )
        got = await collect(connector, posts=2)
    assert [post_id.rsplit("/", 1)[1] for post_id in got.ids] == ["101", "102"]
    assert "no data nor heartbeat" in (connector.health.last_error or "") or "Timeout" in (
        connector.health.last_error or ""
    )


# -- real recorded payloads (tests/fakes/data/real/mastodon, origins in its README) ---------------


def _real_statuses() -> tuple[dict[str, object], dict[str, object]]:
    return real_payload("mastodon", "rtoot_get_status_default.json"), real_payload(
        "mastodon", "mastodonpy_reblog.json"
    )


async def test_real_statuses_map_field_by_field(fake: tuple[FakeMastodon, LocalServer]) -> None:
    """A fosstodon.org status (rtoot's cassette) and a boost (Mastodon.py's), read through REST."""
    mastodon, server = fake
    recorded, boost = _real_statuses()
    mastodon.statuses = [recorded, boost]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, timeline="public", hashtags=[])
        got = await collect(connector, posts=2)
    host = f"127.0.0.1:{server.port}"
    posts = {post.id: post for post in got.posts}
    status = posts[f"mastodon:{host}/114620457512351116"]
    assert status.url == "https://fosstodon.org/@schochastics/114620457512351116"
    assert status.created_at == datetime(2025, 6, 3, 16, 49, 43, 431000, tzinfo=UTC)
    assert status.text.startswith("Super grateful to have received an R Consortium grant")
    # Mastodon hides the middle of long links in invisible spans: the text keeps the whole URL.
    link = (
        "https://r-consortium.org/posts/r-consortium-awards-first-round-of-2025-isc-grants/"
        "#bridging-worlds-enhancing-r-igraph-with-c-core-innovations"
    )
    assert link in status.text and status.text.endswith("#rstats cc @maelle")
    assert status.lang == "en" and "lang_tag" not in status.extra
    assert (status.author.id, status.author.handle, status.author.name, status.author.followers) == (
        "109302436954721982",
        f"schochastics@{host}",
        "David Schoch",
        1037,
    )
    assert status.author.bio == "Data Scientist/DevOps Engineer at cynkra | #Rstats enthusiast"
    assert (status.metrics.likes, status.metrics.reposts, status.metrics.replies) == (12, 5, 1)
    assert status.links == [link]  # the hashtag and the mention are not outbound links
    assert (status.reply_to, status.repost_of, status.quote_of) == (None, None, None)
    assert status.extra["tags"] == ["rstats"] and status.extra["visibility"] == "public"
    assert status.extra["uri"] == "https://fosstodon.org/users/schochastics/statuses/114620457512351116"
    assert status.extra["unfilled"] == ["metrics.views"]
    boosted = posts[f"mastodon:{host}/109440142486581428"]
    # A boost's own url is its ActivityPub activity; the post points at the boosted status.
    assert boost["url"].endswith("/activity")  # type: ignore[union-attr]
    assert boosted.url == "http://localhost:3000/@mastodonpy_test/109440142482846015"
    assert boosted.repost_of == f"mastodon:{host}/109440142482846015"
    assert boosted.text == "Toot!" and boosted.lang == "ja"
    assert (boosted.author.handle, boosted.author.name, boosted.author.followers) == (
        f"mastodonpy_test@{host}",
        "John Lennon",
        0,
    )
    assert boosted.author.bio == "I walk funny"
    assert got.checkpoint == "114620457512351116"


async def test_regional_and_three_letter_language_tags_are_kept_not_refused(
    fake: tuple[FakeMastodon, LocalServer],
) -> None:
    """The fault of the issue: a zh-CN status was refused and the REST cursor moved past it."""
    mastodon, server = fake
    recorded, _ = _real_statuses()
    # The recorded status with the tags other servers send (the file itself stays as recorded).
    variants = [
        {**recorded, "id": str(114620457512351116 + n), "language": tag}
        for n, tag in enumerate(["zh-CN", "pt-BR", "ast", "fra"], start=1)
    ]
    mastodon.statuses = variants
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, timeline="public", hashtags=[])
        got = await collect(connector, posts=4)
    tags = [(post.lang, post.extra.get("lang_tag")) for post in got.posts]
    assert tags == [("zh", "zh-CN"), ("pt", "pt-BR"), (None, "ast"), ("fr", "fra")]
    assert [batch.rejected for batch in got.batches] == [[]]
    assert "lang" in got.posts[2].extra["unfilled"]  # no ISO 639-1 code for Asturian: said so


async def test_a_status_that_cannot_be_a_post_is_reported_with_its_payload(
    fake: tuple[FakeMastodon, LocalServer],
) -> None:
    mastodon, server = fake
    recorded, _ = _real_statuses()
    broken = {key: value for key, value in recorded.items() if key != "created_at"}
    broken["id"] = "114620457512351117"
    mastodon.statuses = [recorded, broken]
    async with httpx.AsyncClient() as client:
        connector, _ = _connector(server, client, timeline="public", hashtags=[])
        got = await collect(connector, posts=1)
    [batch] = got.batches
    [refused] = batch.rejected
    assert "created_at" in refused.reason and refused.payload == broken
    # The checkpoint passes it: the pipeline keeps it in the dead-letter table in the same transaction.
    assert batch.checkpoint == "114620457512351117"
    fixed = {**broken, "created_at": recorded["created_at"]}
    assert connector.remap(fixed) is not None and connector.remap(fixed).id.endswith("/114620457512351117")  # type: ignore[union-attr]
