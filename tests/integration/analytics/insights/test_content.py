"""Content performance on both engines against plain Python over our accounts' posts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from veille.analytics.content import content_performance, content_posts, post_format
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.scope import Scope
from veille.model import Post
from veille.store.sql import SqlStore
from veille.text import fold

DAY = AnalyticsFilter.of(
    start=datetime(2026, 5, 5, tzinfo=ZoneInfo("Europe/Paris")),
    end=datetime(2026, 5, 6, 3, tzinfo=ZoneInfo("Europe/Paris")),
    tz="Europe/Paris",
)
OURS = {
    ("x", "novatelecom_fr"): "x:@NovaTelecom_FR",
    ("bluesky", "nova.bsky.social"): "bluesky:@nova.bsky.social",
}
FORMATS = {
    "x:our-text": "text",
    "x:our-link": "link",
    "x:our-image": "image",
    "x:our-video": "video",
    "bluesky:our-image": "image",
    "bluesky:our-none": "text",
}


def _ours(posts: list[Post]) -> list[Post]:
    return [
        p for p in posts
        if (p.source, fold(p.author.handle)) in OURS and not p.reply_to and not p.repost_of
        and DAY.start <= p.created_at < DAY.end
    ]  # fmt: skip


def _rate(post: Post) -> float | None:
    m = post.metrics
    engagement = (m.likes or 0) + (m.reposts or 0) + (m.replies or 0)
    if m.views:
        return engagement / m.views
    return engagement / post.author.followers if post.author.followers else None


def test_formats_are_read_from_media_and_links(loaded: tuple[SqlStore, list[Post]]) -> None:
    _, posts = loaded
    assert {p.id: post_format(p.to_json_dict()) for p in _ours(posts)} == FORMATS
    assert post_format({"text": "clip https://example.org/a.MP4?x=1"}) == "video"
    assert (
        post_format({"text": "x", "extra": {"domain": "i.redd.it"}, "links": ["https://i.redd.it/a"]})
        == "image"
    )


@pytest.mark.parametrize("group_by", ["format", "hour", "topic", "account"])
def test_groups_against_plain_python(loaded: tuple[SqlStore, list[Post]], group_by: str) -> None:
    store, posts = loaded
    result = content_performance(store, filters=DAY, scope=Scope(), group_by=group_by)
    groups: dict[Any, list[Post]] = defaultdict(list)
    for post in _ours(posts):
        if group_by == "format":
            keys: list[Any] = [FORMATS[post.id]]
        elif group_by == "hour":
            keys = [post.created_at.astimezone(ZoneInfo("Europe/Paris")).hour]
        elif group_by == "topic":
            keys = [t.name for t in post.topics]
        else:
            keys = [OURS[(post.source, fold(post.author.handle))]]
        for key in keys:
            groups[key].append(post)
    assert {row[group_by] for row in result.rows} == set(groups)
    for row in result.rows:
        members = groups[row[group_by]]
        rates = [r for r in map(_rate, members) if r is not None]
        engagement = sum(
            (p.metrics.likes or 0) + (p.metrics.reposts or 0) + (p.metrics.replies or 0) for p in members
        )
        assert row["posts"] == len(members)
        assert row["engagement"] == engagement
        assert row["rated_posts"] == len(rates)
        assert row["engagement_rate"] == (pytest.approx(sum(rates) / len(rates)) if rates else None)
    if group_by == "format":
        assert [row["format"] for row in result.rows] == ["text", "link", "image", "video"]


def test_best_and_worst_posts(loaded: tuple[SqlStore, list[Post]]) -> None:
    store, posts = loaded
    rated = sorted((p for p in _ours(posts) if _rate(p) is not None), key=lambda p: (-(_rate(p) or 0), p.id))
    best = content_posts(store, filters=DAY, scope=Scope(), limit=3)
    assert [row["id"] for row in best.rows] == [p.id for p in rated[:3]]
    worst = content_posts(store, filters=DAY, scope=Scope(), order="worst", limit=2)
    assert [row["id"] for row in worst.rows] == [p.id for p in reversed(rated)][:2]
    by_engagement = content_posts(store, filters=DAY, scope=Scope(), by="engagement", limit=1)
    assert by_engagement.rows[0]["id"] == "x:our-video"
    with_replies = content_performance(store, filters=DAY, scope=Scope(), include_replies=True)
    assert sum(row["posts"] for row in with_replies.rows) == len(_ours(posts)) + 1
    # A scope without X keeps only the Bluesky account.
    bluesky = content_performance(store, filters=DAY, scope=Scope.of(sources=["bluesky"]), group_by="account")
    assert [row["account"] for row in bluesky.rows] == ["bluesky:@nova.bsky.social"]
    with pytest.raises(ValueError, match="group_by"):
        content_performance(store, filters=DAY, scope=Scope(), group_by="weekday")
