"""Per-minute and per-hour counters of the stored posts, kept in step with the posts table.

Dashboards over months and millions of posts read these small tables instead of the posts. A row
holds the measures of the posts of one bucket (UTC minute or hour start, epoch µs) that share one
combination of the dimensions:

- ``topic``: a matched topic's name, or ``"*"`` for *every* post (a post with two topics counts once
  under ``"*"`` and once under each topic, so totals never double-count);
- ``country``, ``lang``, ``sentiment`` (``""`` when unknown: key columns cannot be NULL), ``source``;
- ``duplicate``: 1 when the post is a near-duplicate (``duplicate_of`` set), else 0, so every figure
  exists with and without near-duplicates.

Measures: ``posts`` and the sums of ``likes``, ``reposts``, ``replies``, ``views`` and ``reach``
(the author's followers).

Tables (:data:`SHAPES`): ``rollup_minute`` and ``rollup_hour`` hold every dimension; coarser
projections hold fewer dimensions so that a dashboard reads a few thousand rows, not a row per post:
``rollup_hour_geo`` (topic, country, sentiment, duplicate), ``rollup_hour_topic`` (topic, sentiment,
duplicate), ``rollup_hour_volume`` (topic, duplicate), ``rollup_minute_geo`` and
``rollup_minute_topic`` (the same as the hour ones; these three since migration 0050), and UTC days with every dimension (``rollup_day``) or the geo ones (``rollup_day_geo``).
The reader picks the smallest table that holds the dimensions a query filters or groups on.

How they stay exact under upsert: :func:`apply_posts` runs inside :meth:`SqlStore.upsert_posts`'s
transaction, *before* the posts are written. It reads the rows being replaced (and their topic
matches), subtracts their contribution, adds the new posts' contribution and writes only the
non-zero differences (``posts = posts + delta``). A re-delivered identical post nets to zero and
writes nothing; an edited one (new sentiment, more likes, another topic) moves its contribution.
Being in the same transaction, a crash can never leave posts and counters out of step. On
PostgreSQL, where several workers write at once, a transaction-scoped advisory lock per post id
serialises two writers of the same post, and counter rows are written in key order, so concurrent
batches cannot deadlock each other.

Minute rows past a retention (``[hub] minute_rollup_days``, 0: kept) are deleted by the hub's
maintenance job (:func:`prune_minutes`); the reader then answers those times from the hour and day
rows, and the minutes at a range's edges from the posts (:func:`minute_floor_us`). A late edit of
a post that old may write a minute row again: it is never read, and the next pruning removes it.

:func:`rebuild` recomputes the counters from the posts (``veille rollups rebuild``). Changes to
``post_topics`` made outside :meth:`SqlStore.upsert_posts` keep the counters exact by calling, in
their own transaction, :func:`move_topic` (a topic backfill) or :func:`drop_topic` (a topic deleted);
:func:`refresh_topic` recomputes one topic's rows from its matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    SmallInteger,
    String,
    Table,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)

from veille.clock import to_us
from veille.model import Post
from veille.store.schema import metadata, post_topics, posts

if TYPE_CHECKING:
    from veille.store.sql import SqlStore

__all__ = [
    "ALL_TOPICS",
    "DAY_US",
    "DIMENSIONS",
    "HOUR_US",
    "MEASURES",
    "MINUTE_SHAPES",
    "MINUTE_US",
    "SHAPES",
    "PruneReport",
    "RebuildReport",
    "Shape",
    "ShapeSums",
    "apply_posts",
    "apply_prepared",
    "drop_topic",
    "minute_floor_us",
    "minute_sums",
    "move_topic",
    "project",
    "prune_minutes",
    "rebuild",
    "refresh_topic",
    "rollup_hour",
    "rollup_minute",
]

MINUTE_US = 60_000_000
HOUR_US = 3_600_000_000
ALL_TOPICS = "*"
DIMENSIONS: tuple[str, ...] = ("topic", "country", "lang", "sentiment", "source", "duplicate")
MEASURES: tuple[str, ...] = ("posts", "likes", "reposts", "replies", "views", "reach")
# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_ID_CHUNK = 2000

Key = tuple[int, str, str, str, str, str, int]


DAY_US = 86_400_000_000
_GEO = ("topic", "country", "sentiment", "duplicate")
_KEY_TYPES: dict[str, Any] = {
    "topic": String(64),
    "country": String(2),
    "lang": String(8),
    "sentiment": String(8),
    "source": String(64),
    "duplicate": SmallInteger(),
}


@dataclass(frozen=True, slots=True)
class Shape:
    """One rollup table: its bucket width (µs, UTC-aligned) and the dimensions it keeps."""

    table: Table
    unit_us: int
    dims: tuple[str, ...]

    @property
    def key_columns(self) -> list[str]:
        return ["bucket_us", *self.dims]


def _shape(name: str, unit_us: int, dims: tuple[str, ...], *, covering: bool = False) -> Shape:
    """A rollup table; ``covering``: its (topic, bucket) index holds every other column too.

    A covering index holds the measures too, so dashboards never read the table itself (SQLite: as
    trailing key columns; PostgreSQL: as ``INCLUDE`` payload, see migration 0050_rollup_indexes).
    Small tables only: on the full ones it would double their size.
    """
    if covering:
        rest = [dim for dim in dims if dim != "topic"]
        index = Index(f"ix_{name}_cover", "topic", "bucket_us", *rest, *MEASURES)
    else:
        # A topic's series reads one index range (the primary key leads with the bucket instead).
        index = Index(f"ix_{name}_topic_bucket", "topic", "bucket_us")
    table = Table(
        name,
        metadata,
        Column("bucket_us", BigInteger, primary_key=True),
        *[Column(dim, _KEY_TYPES[dim], primary_key=True) for dim in dims],
        *[Column(measure, BigInteger, nullable=False) for measure in MEASURES],
        index,
    )
    return Shape(table, unit_us, dims)


# Created by migrations 0020_rollups and 0050_rollup_indexes. The first is the finest; a rebuild
# computes each of the others from a table listed before it.
SHAPES: tuple[Shape, ...] = (
    _shape("rollup_minute", MINUTE_US, DIMENSIONS),
    _shape("rollup_hour", HOUR_US, DIMENSIONS),
    # Minute projections (migration 0050): the minutes at a range's edges without a row per source
    # and language.
    _shape("rollup_minute_geo", MINUTE_US, _GEO, covering=True),
    _shape("rollup_minute_topic", MINUTE_US, ("topic", "sentiment", "duplicate"), covering=True),
    _shape("rollup_hour_geo", HOUR_US, _GEO, covering=True),
    _shape("rollup_hour_topic", HOUR_US, ("topic", "sentiment", "duplicate"), covering=True),
    # Volume series (per topic, with or without near-duplicates): a quarter of the rows above.
    _shape("rollup_hour_volume", HOUR_US, ("topic", "duplicate"), covering=True),
    _shape("rollup_day", DAY_US, DIMENSIONS),
    _shape("rollup_day_geo", DAY_US, _GEO, covering=True),
)
rollup_minute = SHAPES[0].table
rollup_hour = SHAPES[1].table
_KEY_COLUMNS = ["bucket_us", *DIMENSIONS]


# -- maintained as posts are written --------------------------------------------------------------
def _add(
    deltas: dict[Key, list[int]],
    *,
    minute_us: int,
    topics: Iterable[str],
    dims: tuple[str, str, str, str, int],
    measures: tuple[int, ...],
    sign: int,
) -> None:
    country, lang, sentiment, source, duplicate = dims
    for topic in topics:
        total = deltas[(minute_us, topic, country, lang, sentiment, source, duplicate)]
        for index, value in enumerate(measures):
            total[index] += sign * value


def _new_deltas() -> dict[Key, list[int]]:
    return defaultdict(lambda: [0] * len(MEASURES))


def minute_sums(written: Iterable[Post]) -> dict[Key, list[int]]:
    """The posts' contribution to the minute rows, summed per key (pure: no database)."""
    sums = _new_deltas()
    for post in written:
        created_us = to_us(post.created_at)
        minute = created_us - created_us % MINUTE_US
        sentiment = post.sentiment.label if post.sentiment is not None else ""
        country, lang, source = post.country or "", post.lang or "", post.source
        duplicate = int(post.duplicate_of is not None)
        metrics = post.metrics
        measures = (
            1,
            metrics.likes or 0,
            metrics.reposts or 0,
            metrics.replies or 0,
            metrics.views or 0,
            post.author.followers or 0,
        )
        for topic in (ALL_TOPICS, *dict.fromkeys(match.name for match in post.topics)):
            total = sums[(minute, topic, country, lang, sentiment, source, duplicate)]
            for index, value in enumerate(measures):
                total[index] += value
    return sums


ShapeSums = list[dict[tuple[Any, ...], list[int]]]


def project(minute_deltas: dict[Key, list[int]]) -> ShapeSums:
    """Minute-row deltas summed into each table's keys (one dict per table of :data:`SHAPES`).

    Each table is summed from the smallest one summed before it that holds its dimensions at a
    finer width (as :func:`rebuild` does), so a batch spread over many minutes costs a few passes
    over ever smaller dicts rather than one pass over the minute keys per table.
    """
    projected: ShapeSums = [{key: list(values) for key, values in minute_deltas.items()}]
    for shape in SHAPES[1:]:
        index = _PROJECTION_SOURCES[shape.table.name]
        source_shape, source = SHAPES[index], projected[index]
        positions = [1 + source_shape.dims.index(dim) for dim in shape.dims]
        unit = shape.unit_us
        deltas: dict[tuple[Any, ...], list[int]] = {}
        for key, values in source.items():
            projected_key = (key[0] - key[0] % unit, *[key[position] for position in positions])
            total = deltas.get(projected_key)
            if total is None:
                deltas[projected_key] = list(values)
            else:
                for offset, value in enumerate(values):
                    total[offset] += value
        projected.append(deltas)
    return projected


def _projection_sources() -> dict[str, int]:
    """For each table after the first, the index of the table :func:`project` sums it from."""
    sources: dict[str, int] = {}
    for position, shape in enumerate(SHAPES[1:], start=1):
        fitting = [
            index
            for index, done in enumerate(SHAPES[:position])
            if shape.unit_us % done.unit_us == 0 and set(shape.dims) <= set(done.dims)
        ]
        sources[shape.table.name] = min(
            fitting, key=lambda index: (-SHAPES[index].unit_us, len(SHAPES[index].dims))
        )
    return sources


_PROJECTION_SOURCES = _projection_sources()


def apply_posts(connection: Connection, written: Sequence[Post]) -> None:
    """Move the counters from the stored version of ``written`` (if any) to ``written``.

    Call inside the transaction that upserts the posts and before it writes them (it reads the rows
    being replaced). ``written`` must hold each id once.
    """
    apply_prepared(connection, [post.id for post in written], project(minute_sums(written)))


def apply_prepared(connection: Connection, post_ids: Sequence[str], sums: ShapeSums) -> dict[str, list[int]]:
    """:func:`apply_posts` with the new posts' sums already projected (:func:`project`): only the
    rows being replaced are read here. ``sums`` is not modified.

    Returns the ``created_us`` of the stored rows of each replaced id (the writer deletes a row
    whose time changed: on PostgreSQL's partitioned posts the upsert's key holds the time)."""
    found: dict[str, list[int]] = {}
    if not post_ids:
        return found
    if connection.dialect.name == "postgresql":
        _lock_post_ids(connection, list(post_ids))
    stored = _new_deltas()
    for start in range(0, len(post_ids), _ID_CHUNK):
        _subtract_stored(connection, list(post_ids[start : start + _ID_CHUNK]), stored, found)
    if stored:  # re-deliveries and edits: their old contribution moves out
        merged: ShapeSums = []
        for table_sums, table_stored in zip(sums, project(stored), strict=True):
            copy = {key: list(values) for key, values in table_sums.items()}
            for key, values in table_stored.items():
                total = copy.setdefault(key, [0] * len(MEASURES))
                for index, value in enumerate(values):
                    total[index] += value
            merged.append(copy)
        sums = merged
    _write_sums(connection, sums)
    return found


def _lock_post_ids(connection: Connection, post_ids: list[str]) -> None:
    """Two transactions writing the same post id take turns (keys in one order: no deadlock)."""
    connection.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(k)) FROM ("
            " SELECT DISTINCT hashtextextended(i, 0) AS k FROM unnest(CAST(:ids AS text[])) AS i ORDER BY k"
            ") AS keys"
        ),
        {"ids": post_ids},
    )


_STORED_COLUMNS = (
    posts.c.id,
    posts.c.created_us,
    posts.c.country,
    posts.c.lang,
    posts.c.sentiment_label,
    posts.c.source,
    posts.c.duplicate_of,
    posts.c.likes,
    posts.c.reposts,
    posts.c.replies,
    posts.c.views,
    posts.c.author_followers,
)


def _add_stored(deltas: dict[Key, list[int]], row: Any, topics: list[str], sign: int) -> None:
    created_us = int(row.created_us)
    _add(
        deltas,
        minute_us=created_us - created_us % MINUTE_US,
        topics=topics,
        dims=(
            row.country or "",
            row.lang or "",
            row.sentiment_label or "",
            row.source,
            int(row.duplicate_of is not None),
        ),
        measures=(
            1,
            int(row.likes or 0),
            int(row.reposts or 0),
            int(row.replies or 0),
            int(row.views or 0),
            int(row.author_followers or 0),
        ),
        sign=sign,
    )


def _subtract_stored(
    connection: Connection,
    post_ids: list[str],
    deltas: dict[Key, list[int]],
    found: dict[str, list[int]] | None = None,
) -> None:
    stored = connection.execute(select(*_STORED_COLUMNS).where(posts.c.id.in_(post_ids))).all()
    if not stored:
        return
    if found is not None:
        for row in stored:
            found.setdefault(row.id, []).append(int(row.created_us))
    stored_topics: dict[str, list[str]] = defaultdict(list)
    topic_rows = connection.execute(
        select(post_topics.c.post_id, post_topics.c.topic).where(
            post_topics.c.post_id.in_([row.id for row in stored])
        )
    )
    for post_id, topic in topic_rows:
        stored_topics[post_id].append(topic)
    for row in stored:
        _add_stored(deltas, row, [ALL_TOPICS, *stored_topics.get(row.id, [])], -1)


def move_topic(connection: Connection, topic: str, post_ids: Sequence[str], matching: set[str]) -> None:
    """Topic ``topic``'s matches among ``post_ids`` are about to become ``matching``: move its counters.

    Call in the transaction that rewrites those ``post_topics`` rows, before it does (a topic
    backfill): posts that gain the topic are added under it, posts that lose it subtracted.
    """
    if topic == ALL_TOPICS:
        raise ValueError(f"topic: {ALL_TOPICS!r} is the all-posts row, not a topic")
    deltas = _new_deltas()
    for start in range(0, len(post_ids), _ID_CHUNK):
        chunk = list(post_ids[start : start + _ID_CHUNK])
        had = set(
            connection.execute(
                select(post_topics.c.post_id).where(
                    post_topics.c.topic == topic, post_topics.c.post_id.in_(chunk)
                )
            ).scalars()
        )
        changed = [post_id for post_id in chunk if (post_id in had) != (post_id in matching)]
        if not changed:
            continue
        if connection.dialect.name == "postgresql":
            _lock_post_ids(connection, changed)
        for row in connection.execute(select(*_STORED_COLUMNS).where(posts.c.id.in_(changed))):
            _add_stored(deltas, row, [topic], 1 if row.id in matching else -1)
    _write_deltas(connection, deltas)


def drop_topic(connection: Connection, topic: str) -> None:
    """Topic ``topic`` and its matches are being deleted: its counter rows go with them."""
    if topic == ALL_TOPICS:
        raise ValueError(f"topic: {ALL_TOPICS!r} is the all-posts row, not a topic")
    for shape in SHAPES:
        connection.execute(delete(shape.table).where(shape.table.c.topic == topic))


def _write_deltas(connection: Connection, minute_deltas: dict[Key, list[int]]) -> None:
    _write_sums(connection, project(minute_deltas))


def _write_sums(connection: Connection, sums: ShapeSums) -> None:
    for shape, deltas in zip(SHAPES, sums, strict=True):
        table = shape.table
        # Sorted: concurrent writers lock counter rows in the same order.
        rows = [(*key, *values) for key, values in sorted(deltas.items()) if any(values)]
        if rows:
            connection.exec_driver_sql(_increment_sql(connection.dialect.paramstyle, shape), rows)
        emptied = [key[0] for key, values in deltas.items() if values[0] < 0]
        if emptied:
            # A post moved out of a combination: drop the rows left with no post at all.
            connection.execute(
                delete(table).where(
                    table.c.posts == 0, table.c.bucket_us >= min(emptied), table.c.bucket_us <= max(emptied)
                )
            )


@lru_cache(maxsize=64)
def _increment_sql(paramstyle: str, shape: Shape) -> str:
    """``INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m`` (same text on both engines)."""
    name = shape.table.name
    columns = [*shape.key_columns, *MEASURES]
    marker = "?" if paramstyle == "qmark" else "%s"
    increments = ", ".join(f"{measure} = {name}.{measure} + excluded.{measure}" for measure in MEASURES)
    return (
        f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))}) "
        f"ON CONFLICT ({', '.join(shape.key_columns)}) DO UPDATE SET {increments}"
    )


# -- recomputed from the posts --------------------------------------------------------------------
class RebuildReport(dict[str, int]):
    """Rows written per table (``rollup_minute``, ``rollup_hour``)."""


def _minute_select(topic: str | None) -> Any:
    """Minute rows computed from the posts: every post under ``"*"``, or the posts of topic ``topic``."""
    minute = (posts.c.created_us - posts.c.created_us % MINUTE_US).label("bucket_us")
    topic_column = literal(ALL_TOPICS, String).label("topic") if topic is None else post_topics.c.topic
    dims = [
        func.coalesce(posts.c.country, "").label("country"),
        func.coalesce(posts.c.lang, "").label("lang"),
        func.coalesce(posts.c.sentiment_label, "").label("sentiment"),
        posts.c.source.label("source"),
        case((posts.c.duplicate_of.is_(None), 0), else_=1).label("duplicate"),
    ]
    sums = [
        func.count().label("posts"),
        func.coalesce(func.sum(posts.c.likes), 0).label("likes"),
        func.coalesce(func.sum(posts.c.reposts), 0).label("reposts"),
        func.coalesce(func.sum(posts.c.replies), 0).label("replies"),
        func.coalesce(func.sum(posts.c.views), 0).label("views"),
        func.coalesce(func.sum(posts.c.author_followers), 0).label("reach"),
    ]
    query = select(minute, topic_column, *dims, *sums)
    if topic is not None:
        query = query.select_from(posts.join(post_topics, post_topics.c.post_id == posts.c.id))
    return query


def _group(query: Any) -> Any:
    return query.group_by(*[column for column in query.selected_columns if column.name in _KEY_COLUMNS])


def _fill_from_minutes(connection: Connection, condition: Callable[[Table], Any]) -> None:
    """Every coarser table's rows from the minute rows meeting ``condition(table)``.

    Each table is computed from the smallest table filled before it that holds its dimensions at a
    finer width (the day rows from the hour rows, not from the minutes), which reads far fewer rows.
    """
    filled = [SHAPES[0]]
    for shape in SHAPES[1:]:
        fitting = [
            done for done in filled if shape.unit_us % done.unit_us == 0 and set(shape.dims) <= set(done.dims)
        ]
        source = min(fitting, key=lambda done: (-done.unit_us, len(done.dims)))
        table = source.table
        bucket = (table.c.bucket_us - table.c.bucket_us % shape.unit_us).label("bucket_us")
        dims = [table.c[name] for name in shape.dims]
        sums = [func.sum(table.c[name]).label(name) for name in MEASURES]
        query = select(bucket, *dims, *sums).where(condition(table)).group_by(bucket, *dims)
        connection.execute(insert(shape.table).from_select([*shape.key_columns, *MEASURES], query))
        filled.append(shape)


def _lock_rollups(connection: Connection) -> None:
    """PostgreSQL: writers wait while the counters are recomputed (their deltas then apply on top)."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(shape.table.name for shape in SHAPES)
        connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def _count(connection: Connection, table: Table, condition: Any) -> int:
    return int(connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one())


def rebuild(store: SqlStore, *, since: datetime | None = None) -> RebuildReport:
    """Recompute every counter (or those from the UTC day holding ``since`` on) from the stored posts.

    One transaction: readers see the old counters until it commits. ``since`` is taken back to the
    start of its UTC day, so that day rows are whole.
    """
    since_us = None if since is None else to_us(since) - to_us(since) % DAY_US
    with store.engine.begin() as connection:
        _lock_rollups(connection)
        for shape in SHAPES:
            statement = delete(shape.table)
            if since_us is not None:
                statement = statement.where(shape.table.c.bucket_us >= since_us)
            connection.execute(statement)
        columns = [*_KEY_COLUMNS, *MEASURES]
        for topic in (None, ""):
            query = _minute_select(topic)
            if since_us is not None:
                query = query.where(posts.c.created_us >= since_us)
            connection.execute(insert(rollup_minute).from_select(columns, _group(query)))
        lowest = since_us if since_us is not None else -(2**62)
        _fill_from_minutes(connection, lambda table: table.c.bucket_us >= lowest)
        return RebuildReport(
            {
                shape.table.name: _count(connection, shape.table, shape.table.c.bucket_us >= lowest)
                for shape in SHAPES
            }
        )


def refresh_topic(store: SqlStore, name: str) -> int:
    """Recompute topic ``name``'s counters from its stored matches (none left: its rows go).

    Returns the minute rows written. Call after a change to ``post_topics`` that did not go through
    :meth:`SqlStore.upsert_posts` (a topic backfill, a topic deleted).
    """
    if name == ALL_TOPICS:
        raise ValueError(f"topic: {ALL_TOPICS!r} is the all-posts row, not a topic")
    with store.engine.begin() as connection:
        _lock_rollups(connection)
        for shape in SHAPES:
            connection.execute(delete(shape.table).where(shape.table.c.topic == name))
        query = _minute_select("").where(post_topics.c.topic == name)
        connection.execute(insert(rollup_minute).from_select([*_KEY_COLUMNS, *MEASURES], _group(query)))
        _fill_from_minutes(connection, lambda table: table.c.topic == name)
        return _count(connection, rollup_minute, rollup_minute.c.topic == name)


# -- minute rows past their retention ---------------------------------------------------------
MINUTE_SHAPES: tuple[Shape, ...] = tuple(shape for shape in SHAPES if shape.unit_us == MINUTE_US)
# Pruning deletes minute rows older than the retention plus this margin, while readers stop reading
# them at the retention itself: processes whose clocks differ by less never read a pruned minute.
PRUNE_MARGIN_US = HOUR_US
# One DELETE covers at most this span of minute buckets (its rows: the minutes of one hour).
PRUNE_STEP_US = HOUR_US


@dataclass(frozen=True, slots=True)
class PruneReport:
    before_us: int
    deleted: dict[str, int]
    skipped: bool = False  # another process was pruning (PostgreSQL)


def minute_floor_us(days: int, *, now: int) -> int | None:
    """The oldest instant minute rows are read for with a retention of ``days`` (0: kept forever)."""
    if days <= 0:
        return None
    floor = now - days * DAY_US
    return floor + (-floor % MINUTE_US)  # a whole minute: the minute rows read from there are whole


def prune_minutes(store: SqlStore, *, days: int, now: int, max_batches: int = 1000) -> PruneReport:
    """Delete the minute rows (:data:`MINUTE_SHAPES`) older than ``days`` (and the margin), one hour
    of buckets per transaction, so that writers never wait long; the hour and day rows keep them.

    Idempotent and cheap when there is nothing to do (one index look-up per table). On PostgreSQL
    one process prunes at a time (a session advisory lock tried, not waited for); the others skip.
    """
    floor = minute_floor_us(days, now=now)
    if floor is None:
        return PruneReport(0, {})
    before = floor - PRUNE_MARGIN_US
    before -= before % MINUTE_US
    deleted = {shape.table.name: 0 for shape in MINUTE_SHAPES}
    with store.engine.connect() as lock_holder:
        if store.dialect == "postgresql":
            got = lock_holder.execute(text("SELECT pg_try_advisory_lock(7263511)")).scalar_one()
            lock_holder.commit()
            if not got:
                return PruneReport(before, deleted, skipped=True)
        try:
            batches = 0
            for shape in MINUTE_SHAPES:
                table = shape.table
                while batches < max_batches:
                    with store.engine.begin() as connection:
                        oldest = connection.execute(
                            select(func.min(table.c.bucket_us)).where(table.c.bucket_us < before)
                        ).scalar_one_or_none()
                        if oldest is None:
                            break
                        upto = min(before, int(oldest) + PRUNE_STEP_US)
                        result = connection.execute(delete(table).where(table.c.bucket_us < upto))
                        deleted[table.name] += int(result.rowcount or 0)
                    batches += 1
        finally:
            if store.dialect == "postgresql":
                lock_holder.execute(text("SELECT pg_advisory_unlock(7263511)"))
                lock_holder.commit()
    return PruneReport(before, deleted)
