"""YouTube commentThreads connector against the fake Data API (tests/fakes/youtube.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.fakes import Failure, LocalServer, RecordingClock, real_payload
from tests.fakes.youtube import FakeYouTube, google_error, reply, thread
from tests.integration.connectors.helpers import build, take
from veille.contracts import SourceBatch
from veille.sources.connectors import CredentialsError
from veille.sources.connectors.youtube import YouTubeConnector, next_pacific_midnight

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def fake() -> FakeYouTube:
    return FakeYouTube()


def make(
    server: LocalServer, clock: RecordingClock, client: httpx.AsyncClient, **fields: Any
) -> YouTubeConnector:
    table = {
        "type": "youtube",
        "name": "yt",
        "endpoint": f"{server.url}/youtube/v3",
        "api_key": "yt-key",
        "video_ids": ["axepn8QqxRk"],
        **fields,
    }
    return build(YouTubeConnector, table, client=client, clock=clock)


async def test_normal_flow_maps_every_field(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.threads["axepn8QqxRk"] = [
        thread(
            "UgxENxr12AabiFXmLox4AaABAg",
            "axepn8QqxRk",
            ago(600),
            "Who come here to read the comments 😂 https://example.org/x",
            likeCount=4,
            replies=[
                reply(
                    "UgxENxr12AabiFXmLox4AaABAg.A1",
                    "UgxENxr12AabiFXmLox4AaABAg",
                    "axepn8QqxRk",
                    ago(300),
                    "It's me",
                )
            ],
            total_replies=3,
        )
    ]
    [batch] = await take(make(server, RecordingClock(), client), 1)
    assert fake.requests[0]["part"] == "snippet,replies" and fake.requests[0]["order"] == "time"
    assert "key" not in fake.requests[0]  # the key travels in a header, not in logged URLs
    top, answer = batch.posts
    assert top.id == "youtube:UgxENxr12AabiFXmLox4AaABAg"
    assert top.source == "youtube"
    assert top.url == "https://www.youtube.com/watch?v=axepn8QqxRk&lc=UgxENxr12AabiFXmLox4AaABAg"
    assert top.created_at == NOW - timedelta(seconds=600)
    assert top.text == "Who come here to read the comments 😂 https://example.org/x"
    assert (top.author.handle, top.author.id, top.author.name) == (
        "prakashsoni1355",
        "UCprakashsoni1355",
        "@prakashsoni1355",
    )
    assert (top.metrics.likes, top.metrics.replies) == (4, 3)
    assert top.links == ["https://example.org/x"]
    assert top.extra["videoId"] == "axepn8QqxRk" and "author.followers" in top.extra["unfilled"]
    assert answer.id == "youtube:UgxENxr12AabiFXmLox4AaABAg.A1"
    assert answer.reply_to == top.id and answer.text == "It's me"  # textOriginal, not the escaped textDisplay


async def test_channel_threads_and_resume_without_gap_or_duplicate(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.channel_videos["UCchan"] = ["v1", "v2"]
    fake.threads["v1"] = [thread(f"a{i}", "v1", ago(10_000 - i)) for i in range(3)]
    fake.threads["v2"] = []
    [first] = await take(make(server, RecordingClock(), client, video_ids=[], channel_ids=["UCchan"]), 1)
    assert sorted(post.id for post in first.posts) == ["youtube:a0", "youtube:a1", "youtube:a2"]
    assert fake.requests[0]["allThreadsRelatedToChannelId"] == "UCchan"
    # 250 new threads spread over both videos and 2 hours (3 pages), plus one late inside the overlap.
    fake.threads["v1"] += [thread(f"b{i}", "v1", ago(8000 - 30 * i)) for i in range(125)]
    fake.threads["v2"] += [thread(f"c{i}", "v2", ago(8000 - 30 * i - 15)) for i in range(125)]
    [second] = await take(
        make(server, RecordingClock(), client, video_ids=[], channel_ids=["UCchan"]), 1, first.checkpoint
    )
    ids = [post.id for post in second.posts]
    assert len(ids) == len(set(ids)) == 250
    assert len(fake.requests) == 1 + 3
    newest = max(post.created_at for post in second.posts)
    fake.threads["v2"].append(thread("late", "v2", (newest - timedelta(seconds=120)).isoformat()))
    [third] = await take(
        make(server, RecordingClock(), client, video_ids=[], channel_ids=["UCchan"]), 1, second.checkpoint
    )
    assert [post.id for post in third.posts] == ["youtube:late"]


async def test_rate_limit_backs_off_and_quota_pauses_until_pacific_midnight(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.threads["axepn8QqxRk"] = [thread("t1", "axepn8QqxRk", ago(60))]
    fake.failures.push(Failure(429, body=json.dumps(google_error(429, "rateLimitExceeded", "slow down"))))
    clock = RecordingClock()
    connector = make(server, clock, client, daily_quota=10)  # two calls of 5 units a day
    first, second, _third = await take(connector, 3)
    assert 48 <= clock.sleeps[0] <= 72  # 429 without a reset header: 60 s ± 20 %
    assert [post.id for post in first.posts] == ["youtube:t1"]
    assert clock.sleeps[1] == 300  # the poll interval
    # The 429 cost units too: the second poll finds the day's budget spent, delivers nothing and the
    # connector sleeps until midnight Pacific time instead of hammering a 403 quotaExceeded.
    assert second.posts == []
    quota_wait = clock.sleeps[2]
    before_sleep = (
        clock.time() - quota_wait - clock.sleeps[3] if len(clock.sleeps) > 3 else clock.time() - quota_wait
    )
    assert quota_wait == pytest.approx(next_pacific_midnight(before_sleep) - before_sleep, abs=2)
    assert quota_wait > 300
    assert "quota" in (connector.health.last_error or "")
    assert len(fake.requests) == 3  # the 429, the first poll, and the poll after midnight


async def test_server_quota_exceeded_pauses_too(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.threads["axepn8QqxRk"] = [thread("t1", "axepn8QqxRk", ago(60))]
    fake.quota_limit = 0  # another application of the same project spent it
    clock = RecordingClock()
    connector = make(server, clock, client)
    batches: list[SourceBatch] = []
    async for batch in connector.batches(None):
        batches.append(batch)
        fake.quota_limit = 10**6  # the fake's own midnight reset
        if len(batches) == 2:
            break
    first, second = batches
    assert first.posts == [] and [post.id for post in second.posts] == ["youtube:t1"]
    assert clock.sleeps[0] > 300 and clock.sleeps[0] == pytest.approx(
        next_pacific_midnight(clock.time() - clock.sleeps[0]) - (clock.time() - clock.sleeps[0]), abs=2
    )
    assert connector.health.rate_limited_total == 1


async def test_malformed_threads_are_skipped_and_counted(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    no_text = thread("bad1", "axepn8QqxRk", ago(50))
    del no_text["snippet"]["topLevelComment"]["snippet"]["textOriginal"]
    del no_text["snippet"]["topLevelComment"]["snippet"]["textDisplay"]
    no_date = thread("bad2", "axepn8QqxRk", ago(40))
    del no_date["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
    fake.threads["axepn8QqxRk"] = [
        thread("ok1", "axepn8QqxRk", ago(60)),
        no_text,
        no_date,
        42,
        thread("ok2", "axepn8QqxRk", ago(5)),
    ]
    fake.in_order = False
    connector = make(server, RecordingClock(), client)
    first, second = await take(connector, 2)
    assert sorted(post.id for post in first.posts) == ["youtube:ok1", "youtube:ok2"]
    reasons = " | ".join(item.reason for item in first.rejected)
    assert len(first.rejected) == 3 and "textOriginal" in reasons and "publishedAt" in reasons
    assert connector.health.malformed_total == 3
    assert second.posts == [] and second.rejected == []


async def test_comments_disabled_video_is_skipped_once(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    fake.comments_disabled.add("off")
    fake.threads["on"] = [thread("t1", "on", ago(30))]
    connector = make(server, RecordingClock(), client, video_ids=["off", "on"])
    first, second = await take(connector, 2)
    assert [post.id for post in first.posts] == ["youtube:t1"]
    assert [request["videoId"] for request in fake.requests] == ["off", "on", "on"]
    assert json.loads(second.checkpoint or "{}")["unavailable"] == {"video:off": "commentsDisabled"}


async def test_bad_api_key_is_reported_once(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    connector = make(server, RecordingClock(), client, api_key="wrong")
    with pytest.raises(CredentialsError, match="API key"):
        await take(connector, 1)
    assert len(fake.requests) == 1
    assert connector.health.state == "failed"
    assert "wrong" not in connector.config.dumps()


# -- real recorded payloads (tests/fakes/data/real/youtube: python-youtube's test data) ---------------


async def test_real_comment_threads_map_field_by_field(
    fake: FakeYouTube, server: LocalServer, client: httpx.AsyncClient
) -> None:
    """Five threads of a 2019 video recorded by python-youtube, served by the fake Data API."""
    recorded = real_payload("youtube", "comment_threads_by_video_paged_2.json")
    fake.threads["F1UP7wRCPH8"] = recorded["items"]
    [batch] = await take(make(server, RecordingClock(), client, video_ids=["F1UP7wRCPH8"]), 1)
    assert batch.rejected == [] and len(batch.posts) == 5
    posts = {post.id: post for post in batch.posts}
    first = posts["youtube:UgyZ1jqkHKYvi1-ruOZ4AaABAg"]
    assert first.url == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert first.created_at == datetime(2019, 11, 26, 15, 51, 44, tzinfo=UTC)
    # textOriginal shows the link's text; the URL is in textDisplay's <a href>.
    assert first.text == "Google.com" and first.links == ["http://google.com/"]
    # A pre-2023 display name is no handle: the channel id stands in, the name is kept.
    assert (first.author.handle, first.author.id, first.author.name) == (
        "UCzj-CjKYmGlZ7vTL-vOe57A",
        "UCzj-CjKYmGlZ7vTL-vOe57A",
        "himani agarwal",
    )
    assert (first.metrics.likes, first.metrics.replies) == (0, 0)
    tagged = posts["youtube:UgwI_ylXVnzPS8Q-oAV4AaABAg"]
    assert tagged.text.startswith("Lot's of good light coming in from here #ChromeDevSummit")
    assert tagged.links == []  # hashtag links point at YouTube's own search: not outbound links
    assert (tagged.metrics.replies, tagged.reply_to) == (2, None)
    multiline = posts["youtube:UgyKv8ziPYFJDGytM_J4AaABAg"]
    assert (
        multiline.text.endswith("fordata show\n        settings displayed") and multiline.metrics.likes == 1
    )
    assert {post.extra["videoId"] for post in batch.posts} == {"F1UP7wRCPH8"}
    assert all(post.lang is None and "lang" in post.extra["unfilled"] for post in batch.posts)
