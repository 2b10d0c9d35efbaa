"""Measures of the posts matching some criteria, per bucket and per dimension, read from the rollups.

The range ``[start, end)`` is cut into pieces that each read the coarsest table able to answer
exactly: whole UTC days (only for totals, or day and week buckets in UTC), whole UTC hours (only when
the buckets asked for are made of whole hours: hour, day or week in a zone with whole-hour offsets,
or totals), whole minutes, and the seconds left at the edges from the posts themselves. Minutes
older than the minute rollups' retention (``[hub] minute_rollup_days``: those rows are pruned)
are read from the posts too. At each
width the table with the fewest dimensions that still holds those the query filters or groups on is
read (:data:`veille.store.rollups.SHAPES`). Rows come back per table bucket and are re-bucketed
in the requested zone here.

The rollups hold one row set per topic and one for every post (``"*"``). A post matching several of
the requested topics must count once, which those rows cannot tell: that case (several topics, not
grouped by topic) reads the posts instead, exactly but more slowly. ``source="posts"`` forces this
path for every piece (benchmarks and checks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import case, func, literal_column, or_, select

from veille.analytics.buckets import Bucketer, hour_aligned
from veille.analytics.filters import Criteria
from veille.errors import Invalid
from veille.store.rollups import ALL_TOPICS, DAY_US, HOUR_US, MEASURES, MINUTE_US, SHAPES, Shape
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore

__all__ = [
    "GROUPS",
    "Measures",
    "Totals",
    "needed_dimensions",
    "plan_pieces",
    "read_measures",
    "smallest_shape",
]

GROUPS: tuple[str, ...] = ("topic", "country", "lang", "sentiment", "source")
Measures = list[int]
# (bucket start in µs or None when not bucketed, group values) -> measures in MEASURES order
Totals = dict[tuple[int | None, tuple[str | None, ...]], Measures]
# (bucket width in µs, or 0 for the posts table; start; end)
Piece = tuple[int, int, int]


def _split(start: int, end: int, unit: int) -> tuple[int, int] | None:
    first = -(-start // unit) * unit
    last = end - end % unit
    return (first, last) if first < last else None


def plan_pieces(start_us: int, end_us: int, *, units: Sequence[int]) -> list[Piece]:
    """Which width reads which part of ``[start, end)``: ``units`` coarsest first, posts (0) last."""
    if not units:
        return [(0, start_us, end_us)]
    whole = _split(start_us, end_us, units[0])
    if whole is None:
        return plan_pieces(start_us, end_us, units=units[1:])
    pieces: list[Piece] = []
    if start_us < whole[0]:
        pieces += plan_pieces(start_us, whole[0], units=units[1:])
    pieces.append((units[0], whole[0], whole[1]))
    if whole[1] < end_us:
        pieces += plan_pieces(whole[1], end_us, units=units[1:])
    return pieces


def _past_minute_retention(pieces: list[Piece], floor_us: int | None) -> list[Piece]:
    """Minute pieces before ``floor_us`` (minute rows pruned: ``[hub] minute_rollup_days``) are read
    from the posts instead; hour and day pieces are kept whatever their age."""
    if floor_us is None:
        return pieces
    kept: list[Piece] = []
    for unit, start, end in pieces:
        if unit != MINUTE_US or start >= floor_us:
            kept.append((unit, start, end))
            continue
        kept.append((0, start, min(end, floor_us)))
        if end > floor_us:
            kept.append((unit, floor_us, end))
    return kept


def needed_dimensions(criteria: Criteria, group_by: Sequence[str]) -> set[str]:
    needed = {"topic", *group_by}
    for name, values in (
        ("country", criteria.countries),
        ("lang", criteria.languages),
        ("source", criteria.sources),
        ("sentiment", criteria.sentiments),
    ):
        if values is not None:
            needed.add(name)
    if not criteria.include_duplicates:
        needed.add("duplicate")
    return needed


def smallest_shape(unit_us: int, needed: set[str]) -> Shape:
    """The table of that width with the fewest dimensions holding ``needed`` (full tables hold all)."""
    fitting = [shape for shape in SHAPES if shape.unit_us == unit_us and needed <= set(shape.dims)]
    return min(fitting, key=lambda shape: len(shape.dims))


# Up to this many local buckets, a piece's rows are re-bucketed by the database (one CASE).
_SQL_BUCKETS = 400


def _local_bucket(column: Any, starts: Sequence[int]) -> Any:
    """The start of the local bucket holding ``column`` (a UTC bucket start), among ``starts``.

    Inline integers, not bound parameters: PostgreSQL matches the GROUP BY expression to the
    selected one only if they are written the same.
    """
    if len(starts) == 1:
        return literal_column(str(int(starts[0])))
    whens: list[tuple[Any, Any]] = [
        (column >= literal_column(str(int(start))), literal_column(str(int(start))))
        for start in reversed(starts[1:])
    ]
    return case(*whens, else_=literal_column(str(int(starts[0]))))


def _rollup_query(
    table: Any,
    criteria: Criteria,
    group_by: Sequence[str],
    start: int,
    end: int,
    bucketed: bool,
    local_starts: Sequence[int] | None = None,
) -> Any:
    """The measures of one piece; with ``local_starts`` its rows come back per local bucket."""
    bucket_column = (
        table.c.bucket_us if local_starts is None else _local_bucket(table.c.bucket_us, local_starts)
    )
    columns = [bucket_column] if bucketed else []
    columns += [table.c[name] for name in group_by]
    conditions = [table.c.bucket_us >= start, table.c.bucket_us < end]
    if "topic" in group_by:
        # Every topic: two index ranges around the all-posts rows ("!=" would read the whole table).
        conditions.append(
            or_(table.c.topic < ALL_TOPICS, table.c.topic > ALL_TOPICS)
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
    # One local bucket: a constant column, which PostgreSQL refuses in GROUP BY (nor is it needed).
    keys = columns[1:] if bucketed and local_starts is not None and len(local_starts) == 1 else columns
    return query.group_by(*keys) if keys else query


_POST_DIMENSIONS = {
    "country": func.coalesce(posts.c.country, ""),
    "lang": func.coalesce(posts.c.lang, ""),
    "sentiment": func.coalesce(posts.c.sentiment_label, ""),
    "source": posts.c.source,
}


def posts_conditions(
    criteria: Criteria, start: int, end: int, *, topics: bool = True, indexed: bool = True
) -> list[Any]:
    """SQL conditions on ``posts`` for the criteria (topics as "matches any of them").

    ``indexed=False`` writes the time, language and source conditions so that no index can serve
    them (``created_us + 0``, ``lang || ''``: same values, NULLs included), for a query that must
    walk another index (the top posts by engagement on SQLite).
    """
    created: Any = posts.c.created_us if indexed else posts.c.created_us + literal_column("0")
    lang: Any = posts.c.lang if indexed else posts.c.lang.concat(literal_column("''"))
    source: Any = posts.c.source if indexed else posts.c.source.concat(literal_column("''"))
    conditions: list[Any] = [created >= start, created < end]
    if criteria.countries is not None:
        conditions.append(posts.c.country.in_(sorted(criteria.countries)))
    if criteria.languages is not None:
        conditions.append(lang.in_(sorted(criteria.languages)))
    if criteria.sources is not None:
        conditions.append(source.in_(sorted(criteria.sources)))
    if criteria.sentiments is not None:
        conditions.append(posts.c.sentiment_label.in_(sorted(criteria.sentiments)))
    if not criteria.include_duplicates:
        conditions.append(posts.c.duplicate_of.is_(None))
    if topics and criteria.topics is not None:
        # EXISTS, not IN (subquery): a short range then probes the (post_id, topic) key per post
        # instead of materialising every post id of the topics.
        matched = select(post_topics.c.post_id).where(
            post_topics.c.post_id == posts.c.id, post_topics.c.topic.in_(sorted(criteria.topics))
        )
        conditions.append(matched.exists())
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
        # post_topics keeps the post's own time: the range on it lets the (topic, created_us) index
        # drive the join instead of every match of the topics.
        query = query.where(post_topics.c.created_us >= start, post_topics.c.created_us < end)
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
        raise Invalid(f"group_by: {unknown[0]!r} is not one of {', '.join(GROUPS)}", field="group_by")
    totals: Totals = defaultdict(lambda: [0] * len(MEASURES))
    if criteria.matches_nothing:
        return totals
    union_of_topics = "topic" not in group_by and criteria.topics is not None and len(criteria.topics) > 1
    if source == "posts" or union_of_topics:
        pieces: list[Piece] = [(0, criteria.start_us, criteria.end_us)]
    else:
        units = [MINUTE_US]
        whole_hours = criteria.interval != "minute" and hour_aligned(
            criteria.zone, criteria.start_us, criteria.end_us
        )
        if not bucketed or whole_hours:
            units.insert(0, HOUR_US)
        if not bucketed or (criteria.interval in ("day", "week", "month") and criteria.zone.key == "UTC"):
            units.insert(0, DAY_US)
        pieces = _past_minute_retention(
            plan_pieces(criteria.start_us, criteria.end_us, units=units), store.minute_floor_us()
        )
    needed = needed_dimensions(criteria, group_by)
    bucketer = Bucketer(criteria.interval, criteria.zone)
    floors: dict[int, int] = {}
    width = len(group_by)
    offset = 1 if bucketed else 0
    # The shortest bucket of the interval: a table of that width or wider needs no re-bucketing.
    bucket_us = {"minute": MINUTE_US, "hour": HOUR_US, "day": DAY_US, "week": 7 * DAY_US}.get(
        criteria.interval, 28 * DAY_US
    )
    with store.engine.connect() as connection:
        for unit, start, end in pieces:
            local = False
            if unit == 0:
                query = _posts_query(criteria, group_by, start, end, bucketed)
            else:
                table = smallest_shape(unit, needed).table
                starts = bucketer.buckets(start, end) if bucketed and unit < bucket_us else []
                # Many table rows per local bucket: summed per local bucket by the database, so
                # Python handles a row per bucket and group instead of a row per table row.
                local = 0 < len(starts) <= _SQL_BUCKETS
                query = _rollup_query(
                    table, criteria, group_by, start, end, bucketed, local_starts=starts if local else None
                )
            for row in connection.execute(query):
                bucket: int | None = None
                if local:
                    bucket = int(row[0])
                elif bucketed:
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
