"""Measures of the posts matching some criteria, per bucket and per dimension, read from the rollups.

The range ``[start, end)`` is cut into pieces that each read the smallest table able to answer
exactly: whole UTC hours from ``rollup_hour`` (only when the buckets asked for are made of whole
hours: hour, day or week in a zone with whole-hour offsets, or no bucket at all), whole minutes from
``rollup_minute``, and the seconds left at the edges from the posts themselves. Rows come back per
table bucket and are re-bucketed in the requested zone here.

The rollups hold one row set per topic and one for every post (``"*"``). A post matching several of
the requested topics must count once, which those rows cannot tell: that case (several topics, not
grouped by topic) reads the posts instead, exactly but more slowly. ``source="posts"`` forces this
path for every piece (benchmarks and checks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import func, select

from veille.analytics.buckets import Bucketer, hour_aligned
from veille.analytics.filters import Criteria
from veille.analytics.rollups import ALL_TOPICS, HOUR_US, MEASURES, MINUTE_US, rollup_hour, rollup_minute
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore

__all__ = ["GROUPS", "Measures", "Totals", "plan_pieces", "read_measures"]

GROUPS: tuple[str, ...] = ("topic", "country", "lang", "sentiment", "source")
Measures = list[int]
# (bucket start in µs or None when not bucketed, group values) -> measures in MEASURES order
Totals = dict[tuple[int | None, tuple[str | None, ...]], Measures]
Piece = tuple[Literal["hour", "minute", "posts"], int, int]


def _split(start: int, end: int, unit: int) -> tuple[int, int] | None:
    first = -(-start // unit) * unit
    last = end - end % unit
    return (first, last) if first < last else None


def plan_pieces(start_us: int, end_us: int, *, use_hours: bool) -> list[Piece]:
    """Which table reads which part of ``[start, end)``."""
    pieces: list[Piece] = []

    def minutes(start: int, end: int) -> None:
        whole = _split(start, end, MINUTE_US)
        if whole is None:
            pieces.append(("posts", start, end))
            return
        if start < whole[0]:
            pieces.append(("posts", start, whole[0]))
        pieces.append(("minute", whole[0], whole[1]))
        if whole[1] < end:
            pieces.append(("posts", whole[1], end))

    hours = _split(start_us, end_us, HOUR_US) if use_hours else None
    if hours is None:
        minutes(start_us, end_us)
    else:
        if start_us < hours[0]:
            minutes(start_us, hours[0])
        pieces.append(("hour", hours[0], hours[1]))
        if hours[1] < end_us:
            minutes(hours[1], end_us)
    return pieces


def _rollup_query(
    table: Any, criteria: Criteria, group_by: Sequence[str], start: int, end: int, bucketed: bool
) -> Any:
    columns = [table.c.bucket_us] if bucketed else []
    columns += [table.c[name] for name in group_by]
    conditions = [table.c.bucket_us >= start, table.c.bucket_us < end]
    if "topic" in group_by:
        conditions.append(
            table.c.topic != ALL_TOPICS
            if criteria.topics is None
            else table.c.topic.in_(sorted(criteria.topics))
        )
    elif criteria.topics is None:
        conditions.append(table.c.topic == ALL_TOPICS)
    else:
        (only,) = criteria.topics
        conditions.append(table.c.topic == only)
    for name, values in (
        ("country", criteria.countries),
        ("lang", criteria.languages),
        ("source", criteria.sources),
        ("sentiment", criteria.sentiments),
    ):
        if values is not None:
            conditions.append(table.c[name].in_(sorted(values)))
    if not criteria.include_duplicates:
        conditions.append(table.c.duplicate == 0)
    sums = [func.sum(table.c[name]) for name in MEASURES]
    query = select(*columns, *sums).where(*conditions)
    return query.group_by(*columns) if columns else query


_POST_DIMENSIONS = {
    "country": func.coalesce(posts.c.country, ""),
    "lang": func.coalesce(posts.c.lang, ""),
    "sentiment": func.coalesce(posts.c.sentiment_label, ""),
    "source": posts.c.source,
}


def posts_conditions(criteria: Criteria, start: int, end: int, *, topics: bool = True) -> list[Any]:
    """SQL conditions on ``posts`` for the criteria (topics as "matches any of them")."""
    conditions: list[Any] = [posts.c.created_us >= start, posts.c.created_us < end]
    if criteria.countries is not None:
        conditions.append(posts.c.country.in_(sorted(criteria.countries)))
    if criteria.languages is not None:
        conditions.append(posts.c.lang.in_(sorted(criteria.languages)))
    if criteria.sources is not None:
        conditions.append(posts.c.source.in_(sorted(criteria.sources)))
    if criteria.sentiments is not None:
        conditions.append(posts.c.sentiment_label.in_(sorted(criteria.sentiments)))
    if not criteria.include_duplicates:
        conditions.append(posts.c.duplicate_of.is_(None))
    if topics and criteria.topics is not None:
        matched = select(post_topics.c.post_id).where(post_topics.c.topic.in_(sorted(criteria.topics)))
        conditions.append(posts.c.id.in_(matched))
    return conditions


def _posts_query(criteria: Criteria, group_by: Sequence[str], start: int, end: int, bucketed: bool) -> Any:
    by_topic = "topic" in group_by
    columns: list[Any] = []
    if bucketed:
        columns.append(posts.c.created_us - posts.c.created_us % MINUTE_US)
    for name in group_by:
        columns.append(post_topics.c.topic if name == "topic" else _POST_DIMENSIONS[name])
    sums = [
        func.count(),
        func.sum(posts.c.likes),
        func.sum(posts.c.reposts),
        func.sum(posts.c.replies),
        func.sum(posts.c.views),
        func.sum(posts.c.author_followers),
    ]
    query = select(*columns, *sums).where(*posts_conditions(criteria, start, end, topics=not by_topic))
    if by_topic:
        query = query.select_from(posts.join(post_topics, post_topics.c.post_id == posts.c.id))
        if criteria.topics is not None:
            query = query.where(post_topics.c.topic.in_(sorted(criteria.topics)))
    return query.group_by(*columns) if columns else query


def read_measures(
    store: SqlStore,
    criteria: Criteria,
    *,
    group_by: Sequence[str] = (),
    bucketed: bool = True,
    source: Literal["rollups", "posts"] = "rollups",
) -> Totals:
    """Measures per (local bucket, group values); ``bucketed=False`` gives totals over the range."""
    unknown = [name for name in group_by if name not in GROUPS]
    if unknown:
        raise ValueError(f"group_by: {unknown[0]!r} is not one of {', '.join(GROUPS)}")
    totals: Totals = defaultdict(lambda: [0] * len(MEASURES))
    if criteria.matches_nothing:
        return totals
    union_of_topics = "topic" not in group_by and criteria.topics is not None and len(criteria.topics) > 1
    if source == "posts" or union_of_topics:
        pieces: list[Piece] = [("posts", criteria.start_us, criteria.end_us)]
    else:
        use_hours = not bucketed or (
            criteria.interval != "minute" and hour_aligned(criteria.zone, criteria.start_us, criteria.end_us)
        )
        pieces = plan_pieces(criteria.start_us, criteria.end_us, use_hours=use_hours)
    bucketer = Bucketer(criteria.interval, criteria.zone)
    floors: dict[int, int] = {}
    width = len(group_by)
    with store.engine.connect() as connection:
        for kind, start, end in pieces:
            if kind == "posts":
                query = _posts_query(criteria, group_by, start, end, bucketed)
            else:
                table = rollup_hour if kind == "hour" else rollup_minute
                query = _rollup_query(table, criteria, group_by, start, end, bucketed)
            for row in connection.execute(query):
                offset = 1 if bucketed else 0
                bucket: int | None = None
                if bucketed:
                    raw = int(row[0])
                    bucket = floors.get(raw)
                    if bucket is None:
                        bucket = floors[raw] = bucketer.floor(raw)
                group = tuple(value or None for value in row[offset : offset + width])
                values = row[offset + width :]
                if not values[0]:
                    continue
                total = totals[(bucket, group)]
                for index, value in enumerate(values):
                    total[index] += int(value or 0)
    return totals
