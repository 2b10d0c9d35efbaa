"""Customer-care indicators, exactly as ``shared/spec/care-metrics.md`` defines them.

How the work is split between the database and Python, so that a window of a store holding
millions of posts stays fast (no post is loaded whole, no text is scanned at query time):

1. ``post_addressees`` holds whom each stored original post addresses: the handles it mentions
   (:func:`veille.text.extract_mentions`, the spec's mention rule) and the author of the post it
   replies to. :meth:`SqlStore.upsert_posts` writes it with the posts
   (:mod:`veille.store.addressees`); a store that held posts before migration 0050 has its
   older posts indexed once by :func:`refresh_addressee_index`, inside the first report;
2. one indexed range per registered handle (``ix_post_addressees_handle_created``) returns the
   candidate inbound posts of the window, without touching the wide ``posts`` rows;
3. Python keeps the real (post, account) pairs: same platform, author not an account of the same
   brand, country allowed by the scope;
4. the same query finds each pair's first response, a reply by the addressed handle, whenever it
   came: an index-only ``MIN`` per pair on ``ix_posts_reply_cover``;
5. the figures (counts, rates, linear-interpolation percentiles) are computed over those pairs.

That pairing is the reference. The report itself reads the per-hour summaries the write path keeps
(:mod:`veille.store.care_hours`, migration 0058): whole hours from ``care_hours`` (counts and the
exact response times), the parts of hours at the window's edges from ``care_pairs``, so the
figures are the pairing's to the last bit. Business-hours figures read the pairs of the window
(their seconds depend on when each post came); a topic filter falls back to the pairing (topics
can be backfilled after the posts are written).
"""

from __future__ import annotations

import bisect
import math
import threading
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, case, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.accounts.hours import business_seconds
from veille.accounts.models import BrandAccount
from veille.accounts.repository import list_accounts
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import format_rfc3339, from_us, now_us, to_us
from veille.errors import Invalid
from veille.store import care_hours
from veille.store.schema import checkpoints, post_addressees, post_topics, posts
from veille.store.sql import SqlStore
from veille.text import extract_mentions

__all__ = [
    "DEFAULT_SLA_S",
    "FIGURES",
    "GROUPS",
    "CareFigures",
    "CareReport",
    "CareRow",
    "GroupBy",
    "InboundPair",
    "Method",
    "care_figures",
    "care_report",
    "find_inbound_pairs",
    "percentile",
    "refresh_addressee_index",
    "response_seconds",
]

DEFAULT_SLA_S = 3600.0
GroupBy = Literal["account", "brand", "country"]
GROUPS: tuple[str, ...] = ("account", "brand", "country")
# How the report finds its figures: the maintained summaries, or pairing the posts at query time.
Method = Literal["summaries", "pairs"]
# The figures of a group, in the order of its row; the trend has an arrow for each but ``responded``.
FIGURES: tuple[str, ...] = (
    "inbound",
    "responded",
    "response_rate",
    "median_s",
    "mean_s",
    "p90_s",
    "within_sla",
)
_TREND_FIGURES: tuple[str, ...] = tuple(name for name in FIGURES if name != "responded")
# What describes a group in a row (see _grouping), per group_by.
_GROUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "account": ("account", "account_id", "platform", "handle", "brand", "country", "ours"),
    "brand": ("brand", "ours"),
    "country": ("brand", "country", "ours"),
}
# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_ID_CHUNK = 2000
_INDEX_CHECKPOINT = "index:post_addressees"
# The last sequence number stored before upsert_posts wrote post_addressees (migration 0050).
_WRITTEN_FROM = "index:post_addressees:written_from"
_PG_OVERLAP = 5000
# One refresh of the addressee index at a time in a process (concurrent ones would do the same work).
_INDEX_LOCK = threading.Lock()
_CHECKED_ENGINES: set[int] = set()


@dataclass(frozen=True, slots=True)
class InboundPair:
    """One inbound post of one account, with its first response (``None``: never answered)."""

    post_id: str
    account_id: int
    created_us: int
    first_response_us: int | None
    # The post's own country, or the account's when the post's is unknown.
    country: str | None


@dataclass(frozen=True, slots=True)
class CareFigures:
    inbound: int
    responded: int
    response_rate: float | None
    median_s: float | None
    mean_s: float | None
    p90_s: float | None
    within_sla: float | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "inbound": self.inbound,
            "responded": self.responded,
            "response_rate": self.response_rate,
            "median_s": self.median_s,
            "mean_s": self.mean_s,
            "p90_s": self.p90_s,
            "within_sla": self.within_sla,
        }


@dataclass(frozen=True, slots=True)
class CareRow:
    """The figures of one account (or brand, or brand in a country), now and in the previous period."""

    group: dict[str, Any]
    current: CareFigures
    previous: CareFigures

    def to_json_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            **self.current.to_json_dict(),
            "previous": self.previous.to_json_dict(),
            "trend": _trend(self.current, self.previous),
        }


@dataclass(frozen=True, slots=True)
class CareReport:
    start: datetime
    end: datetime
    previous_start: datetime
    business_hours: bool
    sla_s: float
    group_by: str
    scope: Scope
    rows: list[CareRow] = field(default_factory=list)

    def result(self) -> AnalyticsResult:
        """The report as one table (CSV and Parquet exports): a row per group with its figures, then
        the previous period's as ``previous_<figure>`` and the arrows as ``trend_<figure>``."""
        group_columns = list(_GROUP_COLUMNS[self.group_by])
        columns = group_columns + list(FIGURES)
        columns += [f"previous_{name}" for name in FIGURES]
        columns += [f"trend_{name}" for name in _TREND_FIGURES]
        rows = []
        for row in self.rows:
            found = row.to_json_dict()
            flat = {name: found.get(name) for name in group_columns + list(FIGURES)}
            flat |= {f"previous_{name}": value for name, value in found["previous"].items()}
            flat |= {f"trend_{name}": value for name, value in found["trend"].items()}
            rows.append(flat)
        meta = {key: value for key, value in self.to_json_dict().items() if key != "items"}
        return AnalyticsResult(kind="care", columns=columns, rows=rows, meta=meta)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "from": format_rfc3339(self.start),
            "to": format_rfc3339(self.end),
            "previous_from": format_rfc3339(self.previous_start),
            "previous_to": format_rfc3339(self.start),
            "business_hours": self.business_hours,
            "sla_s": self.sla_s,
            "group_by": self.group_by,
            "scope": self.scope.to_json_dict(),
            "items": [row.to_json_dict() for row in self.rows],
        }


# -- figures -------------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = (len(sorted_values) - 1) * q / 100.0
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    fraction = position - below
    low, high = sorted_values[below], sorted_values[above]
    return low + (high - low) * fraction


def care_figures(response_times: Iterable[float | None], *, sla_s: float = DEFAULT_SLA_S) -> CareFigures:
    """Figures over inbound posts given by their response time in seconds (``None``: no response).

    No inbound post: every rate and time is ``None``. Inbound posts but no response: rates 0 and
    times ``None``. Within SLA is over all inbound posts, answered or not.
    """
    times = list(response_times)
    answered = sorted(time for time in times if time is not None)
    return _figures(answered, len(times), sla_s=sla_s)


def _figures(answered: list[float], inbound: int, *, sla_s: float) -> CareFigures:
    """Figures of ``inbound`` posts of which ``answered`` (sorted seconds) were answered."""
    responded = len(answered)
    if inbound == 0:
        return CareFigures(0, 0, None, None, None, None, None)
    within = bisect.bisect_right(answered, sla_s)
    if not answered:
        return CareFigures(inbound, 0, 0.0, None, None, None, 0.0)
    return CareFigures(
        inbound=inbound,
        responded=responded,
        response_rate=responded / inbound,
        median_s=percentile(answered, 50),
        mean_s=math.fsum(answered) / responded,
        p90_s=percentile(answered, 90),
        within_sla=within / inbound,
    )


def response_seconds(pair: InboundPair, account: BrandAccount, *, business_hours: bool) -> float | None:
    """Seconds from the inbound post to its first response (only business seconds in that mode).

    A reply stamped before the post it answers (platform clock skew) counts as an immediate answer.
    An account without business hours answers around the clock, so both modes agree for it.
    """
    if pair.first_response_us is None:
        return None
    if pair.first_response_us <= pair.created_us:
        return 0.0
    if business_hours and account.business_hours is not None:
        return business_seconds(account.business_hours, pair.created_us, pair.first_response_us)
    return (pair.first_response_us - pair.created_us) / 1_000_000


# -- finding inbound posts and their responses ---------------------------------------------------


def refresh_addressee_index(store: SqlStore, *, batch: int = 20_000) -> int:
    """Index the posts stored before ``upsert_posts`` kept ``post_addressees``; how many were read.

    Posts written since migration 0050 are indexed in their own transaction; the migration noted
    the last sequence number written before (checkpoint ``index:post_addressees:written_from``), so
    this reads only the older posts, once (a checkpoint holds the last sequence read), and is a
    no-op on stores created since. Without that note it follows every post, as it did before. A
    reply stored before the post it answers gets its row when that post arrives. On PostgreSQL,
    transactions can commit their sequence numbers out of order, so the last ``_PG_OVERLAP``
    numbers are read again (idempotent) to fill gaps.
    """
    with _INDEX_LOCK:
        if id(store.engine) not in _CHECKED_ENGINES:
            # Stores migrated to 0010_accounts before these joined it lack them; the migration
            # creates them everywhere else, so this is a no-op there.
            post_addressees.create(store.engine, checkfirst=True)
            with warnings.catch_warnings():
                # Looking for it reads every index of posts, ix_posts_engagement's expression too.
                warnings.filterwarnings(
                    "ignore", message="Skipped unsupported reflection of expression-based"
                )
                for index in posts.indexes:
                    if index.name == "ix_posts_reply_cover":
                        index.create(store.engine, checkfirst=True)
            _CHECKED_ENGINES.add(id(store.engine))
        with store.engine.connect() as connection:
            marks = {
                str(row.source): row.checkpoint
                for row in connection.execute(
                    select(checkpoints.c.source, checkpoints.c.checkpoint).where(
                        checkpoints.c.source.in_([_INDEX_CHECKPOINT, _WRITTEN_FROM])
                    )
                )
            }
        indexed = last = int(marks.get(_INDEX_CHECKPOINT) or 0)
        written_from = marks.get(_WRITTEN_FROM)
        until = 2**62 if written_from is None else int(written_from)
        if indexed >= until:
            return 0
        if store.dialect == "postgresql":
            last = max(0, last - _PG_OVERLAP)
        read = 0
        while True:
            with store.engine.begin() as connection:
                rows = connection.execute(
                    select(
                        posts.c.seq,
                        posts.c.id,
                        posts.c.source,
                        posts.c.created_us,
                        posts.c.author_handle,
                        posts.c.country,
                        posts.c.reply_to,
                        posts.c.repost_of,
                        case((posts.c.text.like("%@%"), posts.c.text), else_=None).label("text"),
                    )
                    .where(posts.c.seq > last, posts.c.seq <= until)
                    .order_by(posts.c.seq)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                _index_addressees(store, connection, rows, indexed=indexed)
                last = int(rows[-1].seq)
                read += len(rows)
                connection.execute(
                    _insert_or_replace(store, checkpoints, ["source"]),
                    [{"source": _INDEX_CHECKPOINT, "checkpoint": str(last), "updated_us": now_us()}],
                )
            if len(rows) < batch:
                break
        return read


def _addressee_row(post: Any, handle: str) -> dict[str, Any]:
    return {
        "post_id": post.id,
        "handle": handle,
        "source": post.source,
        "created_us": int(post.created_us),
        "author_handle": post.author_handle,
        "country": post.country,
    }


def _index_addressees(store: SqlStore, connection: Connection, rows: Sequence[Any], *, indexed: int) -> None:
    # A post stored again gets a new sequence number, so only posts past the checkpoint can have
    # stale rows; the overlap read again on PostgreSQL only fills gaps.
    fresh = [row.id for row in rows if row.seq > indexed]
    for start in range(0, len(fresh), _ID_CHUNK):
        chunk = fresh[start : start + _ID_CHUNK]
        connection.execute(delete(post_addressees).where(post_addressees.c.post_id.in_(chunk)))
    originals = [row for row in rows if row.repost_of is None]
    parents = _authors(connection, sorted({row.reply_to for row in originals if row.reply_to}))
    addressed: dict[tuple[str, str], dict[str, Any]] = {}
    for row in originals:
        for handle, _span in extract_mentions(row.text) if row.text is not None else ():
            addressed[(row.id, handle)] = _addressee_row(row, handle)
        parent = parents.get(row.reply_to) if row.reply_to else None
        if parent is not None and parent[0] == row.source:
            addressed[(row.id, parent[1])] = _addressee_row(row, parent[1])
    # Replies read in earlier batches whose parent is only now stored.
    first_seq = int(rows[0].seq)
    batch_authors = {row.id: (row.source, row.author_handle) for row in rows}
    ids = list(batch_authors)
    for start in range(0, len(ids), _ID_CHUNK):
        late = (
            select(posts.c.id, posts.c.source, posts.c.created_us, posts.c.author_handle, posts.c.country)
            .add_columns(posts.c.reply_to)
            .where(
                posts.c.reply_to.in_(ids[start : start + _ID_CHUNK]),
                posts.c.seq < first_seq,
                posts.c.repost_of.is_(None),
            )
        )
        for child in connection.execute(late):
            source, author = batch_authors[child.reply_to]
            if source == child.source:
                addressed[(child.id, author)] = _addressee_row(child, author)
    values = list(addressed.values())
    for start in range(0, len(values), _ID_CHUNK):
        connection.execute(_insert_or_ignore(store, post_addressees), values[start : start + _ID_CHUNK])


def _authors(connection: Connection, post_ids: list[str]) -> dict[str, tuple[str, str]]:
    """``post id -> (source, author handle)`` of the stored ones among ``post_ids``."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(post_ids), _ID_CHUNK):
        query = select(posts.c.id, posts.c.source, posts.c.author_handle).where(
            posts.c.id.in_(post_ids[start : start + _ID_CHUNK])
        )
        found.update({row.id: (row.source, row.author_handle) for row in connection.execute(query)})
    return found


def _insert_or_ignore(store: SqlStore, table: Table) -> Any:
    if store.dialect == "postgresql":
        return postgres_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


def _insert_or_replace(store: SqlStore, table: Table, keys: list[str]) -> Any:
    statement: Any = postgres_insert(table) if store.dialect == "postgresql" else sqlite_insert(table)
    updates = {
        column.name: statement.excluded[column.name] for column in table.columns if column.name not in keys
    }
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


def find_inbound_pairs(
    *, store: SqlStore, scope: Scope, accounts: Sequence[BrandAccount], start_us: int, end_us: int
) -> list[InboundPair]:
    """Inbound (post, account) pairs of posts created in ``[start_us, end_us)``, with first responses."""
    in_scope = [account for account in accounts if scope.allows_source(account.platform)]
    if not in_scope or end_us <= start_us:
        return []
    refresh_addressee_index(store)
    by_key: dict[tuple[str, str], BrandAccount] = {account.key: account for account in in_scope}
    brand_of_author = {account.key: account.brand for account in accounts}
    handles = sorted({key for _platform, key in by_key})
    table = post_addressees
    conditions: list[Any] = [
        table.c.handle.in_(handles),
        table.c.created_us >= start_us,
        table.c.created_us < end_us,
    ]
    if scope.sources is not None:
        conditions.append(table.c.source.in_(sorted(scope.sources)))
    if scope.topics is not None:
        matched = select(post_topics.c.post_id).where(post_topics.c.topic.in_(sorted(scope.topics)))
        conditions.append(table.c.post_id.in_(matched))
    # The first response by the addressed handle itself: an index-only MIN per pair on
    # ix_posts_reply_cover (reply_to, source, author_handle, created_us), whenever it came.
    replies = posts.alias("reply")
    first_response = (
        select(func.min(replies.c.created_us))
        .where(
            replies.c.reply_to == table.c.post_id,
            replies.c.source == table.c.source,
            replies.c.author_handle == table.c.handle,
        )
        .scalar_subquery()
    )
    query = select(
        table.c.post_id,
        table.c.handle,
        table.c.source,
        table.c.created_us,
        table.c.author_handle,
        table.c.country,
        first_response,
    ).where(*conditions)
    brand_of_key = {key: account.brand for key, account in by_key.items()}
    pairs: list[InboundPair] = []
    with store.engine.connect() as connection:
        for post_id, handle, source, created_us, author, country, first_us in connection.execute(query):
            key = (source, handle)
            brand = brand_of_key.get(key)
            if brand is None or brand == brand_of_author.get((source, author)):
                continue
            account = by_key[key]
            country = country or account.country
            if scope.countries is not None and country not in scope.countries:
                continue
            first = None if first_us is None else int(first_us)
            pairs.append(InboundPair(post_id, account.id, int(created_us), first, country))
    return pairs


# -- the report ----------------------------------------------------------------------------------


def care_report(
    *,
    store: SqlStore,
    scope: Scope,
    start: datetime,
    end: datetime,
    business_hours: bool = False,
    sla_s: float = DEFAULT_SLA_S,
    group_by: GroupBy = "account",
    accounts: Sequence[BrandAccount] | None = None,
    method: Method = "summaries",
) -> CareReport:
    """Figures per account (or brand, or brand × country) for inbound posts created in ``[start, end)``
    and in the previous period of equal length ``[start - (end - start), start)``.

    Responses count whenever they come, also after ``end``. Accounts the scope allows are listed even
    without inbound posts (their rates and times are ``None``). ``method="pairs"`` pairs the posts at
    query time instead of reading the summaries (the reference the summaries are checked against).
    """
    if group_by not in GROUPS:
        raise Invalid(f"group_by: must be one of {', '.join(GROUPS)}", field="group_by")
    if sla_s < 0 or not math.isfinite(sla_s):
        raise Invalid("sla_s: must be a number of seconds ≥ 0", field="sla_s")
    start_us, end_us = to_us(start), to_us(end)
    if end_us <= start_us:
        raise Invalid("to: must come after from", field="to")
    previous_us = start_us - (end_us - start_us)
    registry = list(accounts) if accounts is not None else list_accounts(store)
    accounts_by_id = {account.id: account for account in registry}
    key_of, describe = _grouping(group_by)
    listed: dict[Hashable, BrandAccount] = {}
    for account in registry:
        if scope.allows_source(account.platform) and (
            account.country is None or scope.allows_country(account.country)
        ):
            listed.setdefault(key_of(account), account)
    tallies = _Tallies(start_us=start_us, key_of=key_of, listed=listed)
    if method == "pairs" or scope.topics is not None:
        pairs = find_inbound_pairs(
            store=store, scope=scope, accounts=registry, start_us=previous_us, end_us=end_us
        )
        for pair in pairs:
            account = accounts_by_id[pair.account_id]
            tallies.add(
                account, pair.created_us, response_seconds(pair, account, business_hours=business_hours)
            )
    else:
        _tally_summaries(
            store,
            tallies,
            scope=scope,
            accounts=registry,
            start_us=previous_us,
            end_us=end_us,
            business_hours=business_hours,
        )
    current, previous = tallies.current, tallies.previous
    rows = [
        CareRow(
            group=describe(account),
            current=current.get(key, _Tally()).figures(sla_s=sla_s),
            previous=previous.get(key, _Tally()).figures(sla_s=sla_s),
        )
        for key, account in listed.items()
    ]
    rows.sort(
        key=lambda row: tuple(_sortable(row.group.get(name)) for name in ("brand", "country", "account"))
    )
    return CareReport(
        start=from_us(start_us),
        end=from_us(end_us),
        previous_start=from_us(previous_us),
        business_hours=business_hours,
        sla_s=sla_s,
        group_by=group_by,
        scope=scope,
        rows=rows,
    )


@dataclass(slots=True)
class _Tally:
    """Inbound posts of one group in one period: how many, and the answered ones' seconds."""

    inbound: int = 0
    answered: list[float] = field(default_factory=list)
    # Response times of whole hours, packed as care_hours stores them: unpacked once, at the end.
    packed: list[bytes] = field(default_factory=list)

    def figures(self, *, sla_s: float) -> CareFigures:
        if self.packed:
            self.answered.extend(
                [value / 1_000_000 for value in care_hours.unpack_times(b"".join(self.packed))]
            )
            self.packed.clear()
        self.answered.sort()
        return _figures(self.answered, self.inbound, sla_s=sla_s)


@dataclass(slots=True)
class _Tallies:
    start_us: int
    key_of: Callable[[BrandAccount], Hashable]
    listed: dict[Hashable, BrandAccount]
    current: dict[Hashable, _Tally] = field(default_factory=dict)
    previous: dict[Hashable, _Tally] = field(default_factory=dict)

    def tally(self, account: BrandAccount, created_us: int) -> _Tally:
        key = self.key_of(account)
        self.listed.setdefault(key, account)
        period = self.current if created_us >= self.start_us else self.previous
        found = period.get(key)
        if found is None:
            found = period[key] = _Tally()
        return found

    def add(self, account: BrandAccount, created_us: int, seconds: float | None) -> None:
        found = self.tally(account, created_us)
        found.inbound += 1
        if seconds is not None:
            found.answered.append(seconds)


_SUMMARY_LOCK = threading.Lock()


def _fresh_summaries(store: SqlStore) -> None:
    """Rebuild the summaries when the registry changed since they were built (or never were)."""
    indexed = refresh_addressee_index(store)
    with store.engine.connect() as connection:
        if indexed == 0 and care_hours.is_current(connection):
            return
    with _SUMMARY_LOCK, store.engine.begin() as connection:
        if indexed or not care_hours.is_current(connection):
            care_hours.rebuild(connection)


def _tally_summaries(
    store: SqlStore,
    tallies: _Tallies,
    *,
    scope: Scope,
    accounts: Sequence[BrandAccount],
    start_us: int,
    end_us: int,
    business_hours: bool,
) -> None:
    """Tally ``[start_us, end_us)`` from ``care_hours`` (whole hours) and ``care_pairs`` (the rest).

    The hour holding ``tallies.start_us`` (the current period's start) is read as pairs when it is
    cut by it, so every post lands in its own period.
    """
    in_scope = [account for account in accounts if scope.allows_source(account.platform)]
    if not in_scope or end_us <= start_us:
        return
    _fresh_summaries(store)
    by_key = {account.key: account for account in in_scope}
    brand_of_author = {account.key: account.brand for account in accounts}
    keys = sorted(by_key)
    hour, day = care_hours.HOUR_US, care_hours.DAY_US
    first_whole = -(-start_us // hour) * hour
    last_whole = end_us - end_us % hour
    cut = tallies.start_us - tallies.start_us % hour if tallies.start_us % hour else None
    # The day holding the periods' boundary has rows of both periods: read by hours.
    cut_day = tallies.start_us - tallies.start_us % day if tallies.start_us % day else None
    hour_spans: list[tuple[int, int]] = []
    day_spans: list[tuple[int, int]] = []
    if business_hours or first_whole >= last_whole:
        pair_spans = [(start_us, end_us)]
    else:
        pair_spans = [(start_us, first_whole), (last_whole, end_us)]
        if cut is not None and first_whole <= cut < last_whole:
            pair_spans.append((cut, cut + hour))
        # Whole UTC days from care_days, the whole hours around them from care_hours.
        first_day = -(-first_whole // day) * day
        last_day = last_whole - last_whole % day
        if first_day < last_day:
            hour_spans += [(first_whole, first_day), (last_day, last_whole)]
            if cut_day is not None and first_day <= cut_day < last_day:
                day_spans += [(first_day, cut_day), (cut_day + day, last_day)]
                hour_spans.append((cut_day, cut_day + day))
            else:
                day_spans.append((first_day, last_day))
        else:
            hour_spans.append((first_whole, last_whole))

    def wanted(account: BrandAccount, author: str, country: str) -> str | None:
        # The spec leaves out posts by accounts of the addressed brand; the post's country, else
        # the account's, must be in scope.
        if author and brand_of_author.get((account.platform, author)) == account.brand:
            return None
        where = country or account.country
        if scope.countries is not None and where not in scope.countries:
            return None
        return where or ""

    with store.engine.connect() as connection:
        summaries = [
            row
            for read, spans in ((care_hours.day_rows, day_spans), (care_hours.hour_rows, hour_spans))
            for first, last in spans
            for row in read(
                connection, accounts=keys, start_us=first, end_us=last, every_country=scope.countries is None
            )
        ]
        for row in summaries:
            if row.bucket_us == cut:
                continue
            account = by_key[(row.source, row.handle)]
            country = "" if row.country == care_hours.ALL_COUNTRIES else row.country
            if wanted(account, row.author_key, country) is None:
                continue
            found = tallies.tally(account, row.bucket_us)
            found.inbound += row.inbound
            if row.times_us:
                found.packed.append(row.times_us)
        for pair in care_hours.pair_rows(connection, accounts=keys, spans=pair_spans):
            account = by_key[(pair.source, pair.handle)]
            author = pair.author_handle if (pair.source, pair.author_handle) in brand_of_author else ""
            if wanted(account, author, pair.country) is None:
                continue
            inbound = InboundPair(
                pair.post_id, account.id, pair.created_us, pair.first_response_us, pair.country or None
            )
            tallies.add(
                account, pair.created_us, response_seconds(inbound, account, business_hours=business_hours)
            )


def _sortable(value: Any) -> tuple[int, str]:
    return (1, "") if value is None else (0, str(value).lower())


def _grouping(
    group_by: str,
) -> tuple[Callable[[BrandAccount], Hashable], Callable[[BrandAccount], dict[str, Any]]]:
    """How accounts are grouped and how a group is described in a row."""
    if group_by == "brand":
        return (lambda account: account.brand), (
            lambda account: {"brand": account.brand, "ours": account.ours}
        )
    if group_by == "country":
        return (lambda account: (account.brand, account.country)), (
            lambda account: {"brand": account.brand, "country": account.country, "ours": account.ours}
        )
    return (lambda account: account.id), (
        lambda account: {
            "account": account.label,
            "account_id": account.id,
            "platform": account.platform,
            "handle": account.handle,
            "brand": account.brand,
            "country": account.country,
            "ours": account.ours,
        }
    )


def _trend(current: CareFigures, previous: CareFigures) -> dict[str, str | None]:
    """Arrows for the walls: ``up``/``down``/``flat`` per figure (``None`` when either side is missing).

    Up means the number grew; whether that is good depends on the figure (a shorter time is better).
    """
    arrows: dict[str, str | None] = {}
    for name in _TREND_FIGURES:
        now, before = getattr(current, name), getattr(previous, name)
        if now is None or before is None:
            arrows[name] = None
        else:
            arrows[name] = "up" if now > before else "down" if now < before else "flat"
    return arrows
