"""The analytics figures computed in plain Python over the posts, independently of the store."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from veille.model import Post

__all__ = ["Ask", "bucket_label", "selected", "volume_rows"]


class Ask:
    """What a test asks: the filter and the scope, as plain sets (None: everything)."""

    def __init__(
        self,
        start: datetime,
        end: datetime,
        *,
        interval: str = "day",
        tz: str = "UTC",
        topics: Iterable[str] | None = None,
        countries: Iterable[str] | None = None,
        languages: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        sentiments: Iterable[str] | None = None,
        include_duplicates: bool = True,
        scope_topics: Iterable[str] | None = None,
        scope_countries: Iterable[str] | None = None,
        scope_sources: Iterable[str] | None = None,
    ) -> None:
        def both(asked: Iterable[str] | None, allowed: Iterable[str] | None) -> set[str] | None:
            sets = [set(values) for values in (asked, allowed) if values is not None]
            return None if not sets else set.intersection(*sets)

        self.start, self.end, self.interval, self.zone = start, end, interval, ZoneInfo(tz)
        self.topics = both(topics, scope_topics)
        self.countries = both(countries, scope_countries)
        self.sources = both(sources, scope_sources)
        self.languages = None if languages is None else set(languages)
        self.sentiments = None if sentiments is None else set(sentiments)
        self.include_duplicates = include_duplicates

    def keeps(self, post: Post) -> bool:
        label = post.sentiment.label if post.sentiment else None
        return (
            self.start <= post.created_at < self.end
            and (self.countries is None or post.country in self.countries)
            and (self.sources is None or post.source in self.sources)
            and (self.languages is None or post.lang in self.languages)
            and (self.sentiments is None or label in self.sentiments)
            and (self.include_duplicates or post.duplicate_of is None)
            and (self.topics is None or any(match.name in self.topics for match in post.topics))
        )


def selected(posts: Iterable[Post], ask: Ask) -> list[Post]:
    return [post for post in posts if ask.keeps(post)]


def bucket_label(moment: datetime, interval: str, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if interval == "minute":
        start = local.replace(second=0, microsecond=0)
    elif interval == "hour":
        start = local.replace(minute=0, second=0, microsecond=0)
    else:
        day = local.date()
        if interval == "week":
            day -= timedelta(days=day.weekday())
        elif interval == "month":
            day = day.replace(day=1)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
    text = start.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def measures(post: Post) -> dict[str, int]:
    metrics = post.metrics
    likes, reposts, replies = metrics.likes or 0, metrics.reposts or 0, metrics.replies or 0
    return {
        "posts": 1,
        "engagement": likes + reposts + replies,
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "views": metrics.views or 0,
        "reach": post.author.followers or 0,
    }


def group_values(post: Post, group_by: str | None, ask: Ask) -> Sequence[str | None]:
    if group_by is None:
        return [None]
    if group_by == "topic":
        names = {match.name for match in post.topics}
        return sorted(names if ask.topics is None else names & ask.topics)
    if group_by == "sentiment":
        return [post.sentiment.label if post.sentiment else None]
    value: str | None = getattr(post, group_by)
    return [value]


def volume_rows(
    posts: Iterable[Post], ask: Ask, group_by: str | None = None
) -> dict[tuple[str, Any], dict[str, int]]:
    """(bucket label, group value) -> measures, non-empty buckets only."""
    found: dict[tuple[str, Any], dict[str, int]] = defaultdict(Counter)
    for post in selected(posts, ask):
        label = bucket_label(post.created_at, ask.interval, ask.zone)
        for value in group_values(post, group_by, ask):
            found[(label, value)].update(measures(post))
    return {key: dict(value) for key, value in found.items()}


HASHTAG = re.compile(r"#(\w+)")


def hashtags_of(post: Post) -> set[str]:
    return {tag.lower() for tag in HASHTAG.findall(post.text)}


def links_of(post: Post) -> set[str]:
    return {word for word in post.text.split() if word.startswith("http")} | set(post.links)


def domains_of(post: Post) -> set[str]:
    hosts = (urlsplit(link).hostname or "" for link in links_of(post))
    return {host.removeprefix("www.") for host in hosts if host}
