"""Per-hour customer-care summaries, kept in step with the posts as they are written.

The care report (:mod:`veille.analytics.care`) used to pair inbound posts with their first
responses at query time (0.65–1.5 s at 10 million posts). These tables hold that pairing already
made, for the registered brand accounts only:

- ``care_pairs``: one row per inbound candidate (a stored original post addressing a registered
  account, the rows of ``post_addressees`` whose handle is registered on that platform) with the
  post's hour, country and author, and its **first response** (the earliest reply by the addressed
  handle, whenever it came; ``NULL``: none yet);
- ``care_hours``: per account (platform, handle), hour (UTC, epoch µs), the post's country
  (``""``: unknown) and ``author_key``, the count of inbound posts, the count answered and the
  **exact** response times of the answered ones (µs from the post to its first response, 0 when
  the reply is stamped first; packed as little-endian int64). Medians and 90th percentiles come
  from those exact times, so they equal the pairing computation to the last bit: no sketch, no
  error bound to state.

``author_key`` is the author's folded handle when the author is itself a registered account on the
platform (the spec leaves out posts by accounts of the addressed brand; which brand is read at
query time), else ``""``. So rows depend on the registry: the registered (platform, handle) keys
they were built for are noted as a fingerprint (checkpoint ``care_hours:registry``);
:func:`is_current` compares it with today's registry and the reader calls :func:`rebuild` when
accounts were added, removed or renamed.

Kept exact on the write path: :func:`apply_posts` runs in :meth:`SqlStore.upsert_posts`'s
transaction after the posts and their addressees are written. It recomputes every pair the batch
can change (the batch's posts, replies stored before the post they answer, and the posts the
batch's replies by registered accounts answer) from ``post_addressees`` and the reply index,
compares them with the stored pairs and moves the hour rows by the difference. A re-delivered post
nets to nothing; a response arriving hours later (after the hour boundary) moves its pair from
unanswered to answered in the pair's own hour; a late post finds the replies already stored. On
PostgreSQL an advisory lock per inbound post id serialises two writers of the same pair and hour
rows are locked in key order.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    LargeBinary,
    String,
    Table,
    delete,
    func,
    inspect,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.clock import now_us
from veille.model import Post
from veille.store.schema import brand_accounts, checkpoints, metadata, post_addressees, posts
from veille.text import fold

__all__ = [
    "ALL_COUNTRIES",
    "DAY_US",
    "HOUR_US",
    "REGISTRY_CHECKPOINT",
    "HourRow",
    "PairRow",
    "apply_posts",
    "apply_prepared",
    "care_days",
    "care_hours",
    "care_pairs",
    "day_rows",
    "hour_rows",
    "is_current",
    "pack_times",
    "pair_rows",
    "rebuild",
    "rebuild_days",
    "registry_keys",
    "unpack_times",
]

HOUR_US = 3_600_000_000
DAY_US = 86_400_000_000
# The country of the hour rows that hold every country (a report without a country filter reads
# only those: the care groups are by account, brand, or brand and the account's country).
ALL_COUNTRIES = "*"
REGISTRY_CHECKPOINT = "care_hours:registry"
# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_CHUNK = 1000
# The first key of PostgreSQL's two-key advisory locks taken here (the rollups use the one-key form).
_LOCK_CLASS = 5801

care_pairs = Table(
    "care_pairs",
    metadata,
    Column("post_id", String, primary_key=True),
    Column("handle", String(200), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("author_handle", String, nullable=False),
    Column("country", String(2), nullable=False),
    Column("first_response_us", BigInteger),
    # The window's edges (part of an hour) and the business-hours figures read pairs by account.
    Index(
        "ix_care_pairs_account_created",
        "source",
        "handle",
        "created_us",
        "author_handle",
        "country",
        "first_response_us",
    ),
)


def _summary_table(name: str) -> Table:
    """One summary row per account, bucket, country and author: counts and the response times."""
    return Table(
        name,
        metadata,
        Column("source", String(64), primary_key=True),
        Column("handle", String(200), primary_key=True),
        Column("bucket_us", BigInteger, primary_key=True),
        Column("country", String(2), primary_key=True),
        Column("author_key", String(200), primary_key=True),
        Column("inbound", BigInteger, nullable=False),
        Column("responded", BigInteger, nullable=False),
        Column("times_us", LargeBinary, nullable=False),
    )


care_hours = _summary_table("care_hours")
# The same rows per UTC day (migration 0061): a 30-day report reads 24 times fewer rows. Kept with
# the hour rows by the same moves (:func:`_move_hours`), rebuilt with them.
care_days = _summary_table("care_days")

HourKey = tuple[str, str, int, str, str]
PairKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class PairRow:
    """One inbound candidate as stored in ``care_pairs``."""

    post_id: str
    handle: str
    source: str
    created_us: int
    author_handle: str
    country: str
    first_response_us: int | None

    def hour_keys(self, registered: set[tuple[str, str]]) -> tuple[HourKey, HourKey]:
        """The pair's hour row for its country, and the one for every country (``"*"``)."""
        author = self.author_handle if (self.source, self.author_handle) in registered else ""
        bucket = self.created_us - self.created_us % HOUR_US
        return (
            (self.source, self.handle, bucket, self.country, author),
            (self.source, self.handle, bucket, ALL_COUNTRIES, author),
        )

    def response_us(self) -> int | None:
        if self.first_response_us is None:
            return None
        return max(0, self.first_response_us - self.created_us)


class HourRow(NamedTuple):
    """One ``care_hours`` row; ``times_us`` packed (:func:`unpack_times`), so that a report joins
    the rows of a group and unpacks them once."""

    source: str
    handle: str
    bucket_us: int
    country: str
    author_key: str
    inbound: int
    responded: int
    times_us: bytes


def pack_times(values: Iterable[int]) -> bytes:
    packed = array("q", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def unpack_times(blob: bytes | None) -> array[int]:
    values = array("q")
    if blob:
        values.frombytes(bytes(blob))
        if sys.byteorder != "little":
            values.byteswap()
    return values


# -- the registry ----------------------------------------------------------------------------------


def registry_keys(connection: Connection) -> set[tuple[str, str]]:
    """``(platform, folded handle)`` of every registered brand account."""
    rows = connection.execute(select(brand_accounts.c.platform, brand_accounts.c.handle_key))
    return {(str(platform), str(handle)) for platform, handle in rows}


def _fingerprint(keys: set[tuple[str, str]]) -> str:
    digest = hashlib.sha256("\n".join(f"{platform}\t{handle}" for platform, handle in sorted(keys)).encode())
    return digest.hexdigest()


def is_current(connection: Connection) -> bool:
    """Whether the summaries were built for today's registry (else :func:`rebuild` them)."""
    return _noted_for(connection, registry_keys(connection))


def _noted_for(connection: Connection, keys: set[tuple[str, str]]) -> bool:
    noted = connection.execute(
        select(checkpoints.c.checkpoint).where(checkpoints.c.source == REGISTRY_CHECKPOINT)
    ).scalar_one_or_none()
    return noted is not None and noted == _fingerprint(keys)


def _note_registry(connection: Connection, keys: set[tuple[str, str]]) -> None:
    statement: Any = (
        postgres_insert(checkpoints)
        if connection.dialect.name == "postgresql"
        else sqlite_insert(checkpoints)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["source"],
        set_={"checkpoint": statement.excluded.checkpoint, "updated_us": statement.excluded.updated_us},
    )
    connection.execute(
        statement, [{"source": REGISTRY_CHECKPOINT, "checkpoint": _fingerprint(keys), "updated_us": now_us()}]
    )


# -- computing pairs from the posts ----------------------------------------------------------------


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _first_responses(connection: Connection, post_ids: Sequence[str]) -> dict[tuple[str, str, str], int]:
    """``(post id, source, replying handle) -> earliest reply time`` for replies to ``post_ids``."""
    found: dict[tuple[str, str, str], int] = {}
    for chunk in _chunks(post_ids):
        query = (
            select(posts.c.reply_to, posts.c.source, posts.c.author_handle, func.min(posts.c.created_us))
            .where(posts.c.reply_to.in_(chunk))
            .group_by(posts.c.reply_to, posts.c.source, posts.c.author_handle)
        )
        for reply_to, source, author, first in connection.execute(query):
            found[(str(reply_to), str(source), str(author))] = int(first)
    return found


def _computed_pairs(
    connection: Connection, post_ids: Sequence[str], registered: set[tuple[str, str]]
) -> dict[PairKey, PairRow]:
    """The pairs of ``post_ids`` as the posts and ``post_addressees`` say now."""
    candidates: list[Any] = []
    for chunk in _chunks(post_ids):
        query = select(
            post_addressees.c.post_id,
            post_addressees.c.handle,
            post_addressees.c.source,
            post_addressees.c.created_us,
            post_addressees.c.author_handle,
            post_addressees.c.country,
        ).where(post_addressees.c.post_id.in_(chunk))
        candidates.extend(row for row in connection.execute(query) if (row.source, row.handle) in registered)
    firsts = _first_responses(connection, sorted({row.post_id for row in candidates}))
    return {
        (row.post_id, row.handle): PairRow(
            post_id=row.post_id,
            handle=row.handle,
            source=row.source,
            created_us=int(row.created_us),
            author_handle=row.author_handle,
            country=row.country or "",
            first_response_us=firsts.get((row.post_id, row.source, row.handle)),
        )
        for row in candidates
    }


def _stored_pairs(connection: Connection, post_ids: Sequence[str]) -> dict[PairKey, PairRow]:
    stored: dict[PairKey, PairRow] = {}
    for chunk in _chunks(post_ids):
        query = select(care_pairs).where(care_pairs.c.post_id.in_(chunk))
        for row in connection.execute(query):
            pair = PairRow(
                post_id=row.post_id,
                handle=row.handle,
                source=row.source,
                created_us=int(row.created_us),
                author_handle=row.author_handle,
                country=row.country,
                first_response_us=None if row.first_response_us is None else int(row.first_response_us),
            )
            stored[(pair.post_id, pair.handle)] = pair
    return stored


def _lock_posts(connection: Connection, post_ids: Sequence[str]) -> None:
    if connection.dialect.name != "postgresql" or not post_ids:
        return
    connection.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(:lock_class, k)) FROM ("
            " SELECT DISTINCT hashtext(i) AS k FROM unnest(CAST(:ids AS text[])) AS i ORDER BY k"
            ") AS keys"
        ),
        {"lock_class": _LOCK_CLASS, "ids": list(post_ids)},
    )


# -- maintained as posts are written ---------------------------------------------------------------


def apply_posts(connection: Connection, written: Sequence[Post]) -> None:
    """Bring the pairs and hours that ``written`` can change in step with the stored posts.

    Call inside the transaction that upserts the posts, after it wrote them and their addressees.
    """
    replies = [(post.reply_to, post.source, fold(post.author.handle)) for post in written if post.reply_to]
    apply_prepared(connection, [post.id for post in written], replies)


def apply_prepared(
    connection: Connection, ids: Sequence[str], replies: Sequence[tuple[str, str, str]]
) -> None:
    """:func:`apply_posts` from a prepared batch (issue 15): the ids written, and ``(reply_to,
    source, folded author handle)`` of each of them that replies to a post."""
    if not ids:
        return
    registered = registry_keys(connection)
    if not registered or not _noted_for(connection, registered):
        # Built for another registry (or never): the next report rebuilds everything anyway.
        return
    ids = sorted(set(ids))
    affected = set(ids)
    # Replies stored before the post they answer are addressed to its author now.
    for chunk in _chunks(ids):
        query = select(posts.c.id).where(posts.c.reply_to.in_(chunk), posts.c.repost_of.is_(None))
        affected.update(str(row.id) for row in connection.execute(query))
    # A reply by a registered account may be the first response of the post it answers.
    for reply_to, source, author_handle in replies:
        if (source, author_handle) in registered:
            affected.add(reply_to)
    ordered = sorted(affected)
    _lock_posts(connection, ordered)
    before = _stored_pairs(connection, ordered)
    after = _computed_pairs(connection, ordered, registered)
    _apply_difference(connection, before, after, registered)


def _apply_difference(
    connection: Connection,
    before: dict[PairKey, PairRow],
    after: dict[PairKey, PairRow],
    registered: set[tuple[str, str]],
) -> None:
    removed = [key for key, pair in before.items() if after.get(key) != pair]
    added = [key for key, pair in after.items() if before.get(key) != pair]
    if not removed and not added:
        return
    # Per hour row: inbound and answered deltas, response times to drop and to add.
    moves: dict[HourKey, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([0, 0], [], []))
    for key in removed:
        pair = before[key]
        response = pair.response_us()
        for hour_key in pair.hour_keys(registered):
            counts, dropped, _added = moves[hour_key]
            counts[0] -= 1
            if response is not None:
                counts[1] -= 1
                dropped.append(response)
    for key in added:
        pair = after[key]
        response = pair.response_us()
        for hour_key in pair.hour_keys(registered):
            counts, _dropped, gained = moves[hour_key]
            counts[0] += 1
            if response is not None:
                counts[1] += 1
                gained.append(response)
    for chunk in _chunks(removed):
        connection.execute(
            delete(care_pairs).where(tuple_(care_pairs.c.post_id, care_pairs.c.handle).in_(list(chunk)))
        )
    rows = [_pair_values(after[key]) for key in added]
    for chunk in _chunks(rows):
        connection.execute(care_pairs.insert(), list(chunk))
    _move_hours(connection, moves)


def _pair_values(pair: PairRow) -> dict[str, Any]:
    return {
        "post_id": pair.post_id,
        "handle": pair.handle,
        "source": pair.source,
        "created_us": pair.created_us,
        "author_handle": pair.author_handle,
        "country": pair.country,
        "first_response_us": pair.first_response_us,
    }


_HOUR_KEY_COLUMNS = ("source", "handle", "bucket_us", "country", "author_key")


Moves = dict[HourKey, tuple[list[int], list[int], list[int]]]


def _by_day(moves: Moves) -> Moves:
    """The same moves keyed by the UTC day holding each hour."""
    days: Moves = defaultdict(lambda: ([0, 0], [], []))
    for (source, handle, bucket, country, author), (counts, dropped, gained) in moves.items():
        day = days[(source, handle, bucket - bucket % DAY_US, country, author)]
        day[0][0] += counts[0]
        day[0][1] += counts[1]
        day[1].extend(dropped)
        day[2].extend(gained)
    return days


def _move_hours(connection: Connection, moves: Moves) -> None:
    """Move the hour rows and the day rows holding them by the same differences."""
    _move_rows(connection, care_hours, moves)
    _move_rows(connection, care_days, _by_day(moves))


def _move_rows(connection: Connection, table: Table, moves: Moves) -> None:
    keys = sorted(
        key for key, (counts, dropped, gained) in moves.items() if counts != [0, 0] or dropped or gained
    )
    if not keys:
        return
    insert_into = postgres_insert if connection.dialect.name == "postgresql" else sqlite_insert
    empty = [
        dict(zip(_HOUR_KEY_COLUMNS, key, strict=True)) | {"inbound": 0, "responded": 0, "times_us": b""}
        for key in keys
    ]
    for chunk in _chunks(empty):
        connection.execute(insert_into(table).on_conflict_do_nothing(), list(chunk))
    key_columns = tuple_(*(table.c[name] for name in _HOUR_KEY_COLUMNS))
    current: dict[HourKey, Any] = {}
    for chunk in _chunks(keys):
        query = select(table).where(key_columns.in_(list(chunk))).order_by(*table.primary_key.columns)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        for row in connection.execute(query):
            current[(row.source, row.handle, int(row.bucket_us), row.country, row.author_key)] = row
    for key in keys:
        row = current[key]
        counts, dropped, gained = moves[key]
        times = unpack_times(row.times_us)
        for value in dropped:
            times.remove(value)
        times.extend(gained)
        inbound, responded = int(row.inbound) + counts[0], int(row.responded) + counts[1]
        where = [table.c[name] == value for name, value in zip(_HOUR_KEY_COLUMNS, key, strict=True)]
        if inbound == 0:
            connection.execute(delete(table).where(*where))
        else:
            connection.execute(
                update(table)
                .where(*where)
                .values(inbound=inbound, responded=responded, times_us=pack_times(times))
            )


# -- rebuilt from the posts ------------------------------------------------------------------------


def rebuild(connection: Connection, *, batch: int = 20_000) -> int:
    """Recompute both tables from ``post_addressees`` and the posts for today's registry; pairs made.

    Runs when the registry changed (see :func:`is_current`) and in migration 0058. On PostgreSQL the
    tables are locked for the transaction, so writers wait instead of moving rows being rebuilt.
    """
    # Migration 0058 runs this before 0061 created care_days: the day rows then come from 0061.
    tables = [care_pairs, care_hours, *([care_days] if inspect(connection).has_table("care_days") else [])]
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"LOCK TABLE {', '.join(table.name for table in tables)} IN EXCLUSIVE MODE"))
    for table in tables:
        connection.execute(delete(table))
    registered = registry_keys(connection)
    made = 0
    hours: dict[HourKey, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([0, 0], [], []))
    for handle in sorted({handle for _source, handle in registered}):
        last: tuple[int, str] | None = None
        while True:
            query = (
                select(post_addressees.c.post_id, post_addressees.c.created_us)
                .where(post_addressees.c.handle == handle)
                .order_by(post_addressees.c.created_us, post_addressees.c.post_id)
                .limit(batch)
            )
            if last is not None:
                query = query.where(
                    tuple_(post_addressees.c.created_us, post_addressees.c.post_id) > tuple_(*last)
                )
            found = connection.execute(query).all()
            if not found:
                break
            last = (int(found[-1].created_us), str(found[-1].post_id))
            pairs = _computed_pairs(connection, [str(row.post_id) for row in found], registered)
            chosen = [pair for pair in pairs.values() if pair.handle == handle]
            for chunk in _chunks([_pair_values(pair) for pair in chosen]):
                connection.execute(care_pairs.insert(), list(chunk))
            for pair in chosen:
                response = pair.response_us()
                for hour_key in pair.hour_keys(registered):
                    counts, _dropped, gained = hours[hour_key]
                    counts[0] += 1
                    if response is not None:
                        counts[1] += 1
                        gained.append(response)
            made += len(chosen)
            if len(found) < batch:
                break
    for table, summed in ((care_hours, hours), (care_days, _by_day(hours))):
        if table not in tables:
            continue
        rows = [
            dict(zip(_HOUR_KEY_COLUMNS, key, strict=True))
            | {"inbound": counts[0], "responded": counts[1], "times_us": pack_times(gained)}
            for key, (counts, _dropped, gained) in sorted(summed.items())
        ]
        for chunk in _chunks(rows):
            connection.execute(table.insert(), list(chunk))
    _note_registry(connection, registered)
    return made


def rebuild_days(connection: Connection) -> int:
    """Recompute ``care_days`` from ``care_hours`` (migration 0061); the day rows written."""
    connection.execute(delete(care_days))
    days: Moves = defaultdict(lambda: ([0, 0], [], []))
    for row in connection.execute(select(care_hours)):
        key = (
            row.source,
            row.handle,
            int(row.bucket_us) - int(row.bucket_us) % DAY_US,
            row.country,
            row.author_key,
        )
        counts, _dropped, gained = days[key]
        counts[0] += int(row.inbound)
        counts[1] += int(row.responded)
        gained.extend(unpack_times(row.times_us))
    rows = [
        dict(zip(_HOUR_KEY_COLUMNS, key, strict=True))
        | {"inbound": counts[0], "responded": counts[1], "times_us": pack_times(gained)}
        for key, (counts, _dropped, gained) in sorted(days.items())
    ]
    for chunk in _chunks(rows):
        connection.execute(care_days.insert(), list(chunk))
    return len(rows)


# -- read by the care report -----------------------------------------------------------------------


def hour_rows(
    connection: Connection,
    *,
    accounts: Sequence[tuple[str, str]],
    start_us: int,
    end_us: int,
    every_country: bool = True,
    table: Table = care_hours,
) -> list[HourRow]:
    """Hour rows of ``accounts`` (platform, folded handle) for hours starting in ``[start_us, end_us)``:
    the rows for every country (``every_country``), else the per-country ones. ``table=care_days``:
    the day rows (:func:`day_rows`)."""
    if not accounts or end_us <= start_us:
        return []
    country = table.c.country
    query = select(
        table.c.source,
        table.c.handle,
        table.c.bucket_us,
        country,
        table.c.author_key,
        table.c.inbound,
        table.c.responded,
        table.c.times_us,
    ).where(
        *_account_conditions(table, accounts),
        table.c.bucket_us >= start_us,
        table.c.bucket_us < end_us,
        country == ALL_COUNTRIES if every_country else country != ALL_COUNTRIES,
    )
    wanted = set(accounts)
    return [
        HourRow(source, handle, int(bucket), where, author, int(inbound), int(responded), bytes(times))
        for source, handle, bucket, where, author, inbound, responded, times in connection.execute(
            query
        ).all()
        if (source, handle) in wanted
    ]


def _account_conditions(table: Table, accounts: Sequence[tuple[str, str]]) -> list[Any]:
    """``source IN … AND handle IN …``: an index lookup per (source, handle) on both engines (SQLite
    scans the whole table for a row-value ``(source, handle) IN (…)``); the few extra pairs that the
    two lists allow are dropped by the caller."""
    return [
        table.c.source.in_(sorted({source for source, _ in accounts})),
        table.c.handle.in_(sorted({handle for _, handle in accounts})),
    ]


def day_rows(
    connection: Connection,
    *,
    accounts: Sequence[tuple[str, str]],
    start_us: int,
    end_us: int,
    every_country: bool = True,
) -> list[HourRow]:
    """Day rows (UTC days starting in ``[start_us, end_us)``), in the shape of the hour rows."""
    return hour_rows(
        connection,
        accounts=accounts,
        start_us=start_us,
        end_us=end_us,
        every_country=every_country,
        table=care_days,
    )


def pair_rows(
    connection: Connection,
    *,
    accounts: Sequence[tuple[str, str]],
    spans: Sequence[tuple[int, int]],
) -> list[PairRow]:
    """Pairs of ``accounts`` whose post was created in one of ``spans`` (``[start_us, end_us)`` each)."""
    spans = [(start, end) for start, end in spans if end > start]
    if not accounts or not spans:
        return []
    created = care_pairs.c.created_us
    wanted = set(accounts)
    found: list[PairRow] = []
    # One query per span: each an index range per account (an OR of ranges may read them all).
    for start, end in spans:
        query = select(
            care_pairs.c.post_id,
            care_pairs.c.handle,
            care_pairs.c.source,
            created,
            care_pairs.c.author_handle,
            care_pairs.c.country,
            care_pairs.c.first_response_us,
        ).where(*_account_conditions(care_pairs, accounts), created >= start, created < end)
        found += [
            PairRow(
                str(post_id),
                str(handle),
                str(source),
                int(created_us),
                str(author),
                str(country),
                None if first is None else int(first),
            )
            for post_id, handle, source, created_us, author, country, first in connection.execute(query).all()
            if (source, handle) in wanted
        ]
    return found
