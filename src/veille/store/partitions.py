"""PostgreSQL: the posts table partitioned by month of ``created_us`` (migration 0071_posts_by_month).

Each UTC calendar month is one partition, ``posts_pYYYYMM`` (``FOR VALUES FROM (first µs of the
month) TO (first µs of the next)``), and ``posts_default`` takes any post outside them (the safety
net: an insert never fails for want of a partition). Partitions are created

- ahead, for the current month and the next :data:`AHEAD_MONTHS` (the migration, then the hub's
  maintenance job every hour: :func:`ensure_ahead`);
- on demand, in the write transaction, for the months of a batch that have none
  (:func:`ensure_months`), within :data:`ON_DEMAND_YEARS` of now; a post further away (a bogus
  date) goes to the default partition.

A month whose rows already sit in ``posts_default`` gets no partition of its own (PostgreSQL would
refuse it: the default partition holds rows of that range); those posts stay in the default
partition, stored and found like any other.

**Uniqueness of a post id.** A primary key on a partitioned table must hold the partition key, so it
is ``(id, created_us)``: the upsert's conflict target. A post's ``created_us`` is its platform's
creation time and does not change when the post is delivered again or edited; when a source does
send another time for an id, the writer (:meth:`veille.store.sql.SqlStore.write_prepared`) deletes
the stored row of that id at its old time in the same transaction, before the upsert (the rollups
have already moved its contribution out, as for any edit). Writers on PostgreSQL are serialised by
the write sequence's advisory lock, so two writers never insert one id at two times at once. Lookups
by id use the primary key's index (it leads with ``id``), one probe per partition.

SQLite keeps one ``posts`` table; everything here is a no-op there.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from veille.clock import now_us

__all__ = [
    "AHEAD_MONTHS",
    "DEFAULT_PARTITION",
    "ON_DEMAND_YEARS",
    "PARTITION_NAME",
    "PartitionCache",
    "ensure_ahead",
    "ensure_months",
    "is_partitioned",
    "month_bounds",
    "month_of",
    "partition_name",
]

AHEAD_MONTHS = 2
ON_DEMAND_YEARS = 20
DEFAULT_PARTITION = "posts_default"
PARTITION_NAME = re.compile(r"^posts_(p\d{6}|default)$")


def month_of(created_us: int) -> int:
    """The month holding ``created_us``, as ``year * 12 + month - 1``."""
    moment = datetime.fromtimestamp(created_us / 1_000_000, UTC)
    return moment.year * 12 + moment.month - 1


def month_bounds(month: int) -> tuple[int, int]:
    """``[start, end)`` in epoch µs of a month given as ``year * 12 + month - 1``."""

    def start(index: int) -> int:
        moment = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
        return int(moment.timestamp()) * 1_000_000

    return start(month), start(month + 1)


def partition_name(month: int) -> str:
    return f"posts_p{month // 12:04d}{month % 12 + 1:02d}"


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('posts')")
    ).scalar_one_or_none()
    return kind == "p"


def existing_months(connection: Connection) -> set[int]:
    """The months that have a partition of their own."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass('posts')"
        )
    ).scalars()
    months: set[int] = set()
    for name in names:
        match = re.fullmatch(r"posts_p(\d{4})(\d{2})", name)
        if match:
            months.add(int(match.group(1)) * 12 + int(match.group(2)) - 1)
    return months


def _create(connection: Connection, month: int) -> bool:
    """Create ``month``'s partition; False when the default partition holds rows of that month."""
    low, high = month_bounds(month)
    held = connection.execute(
        text(f"SELECT 1 FROM {DEFAULT_PARTITION} WHERE created_us >= :low AND created_us < :high LIMIT 1"),
        {"low": low, "high": high},
    ).first()
    if held is not None:
        return False
    connection.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF posts"
            f" FOR VALUES FROM ({low}) TO ({high})"
        )
    )
    return True


class PartitionCache:
    """The months known to have a partition, per store: a batch whose months are all known costs
    no query; a new month costs one look-up and, the first time, one ``CREATE TABLE``."""

    def __init__(self) -> None:
        self.months: set[int] | None = None
        self.refused: set[int] = set()

    def ensure(self, connection: Connection, created_us: Any) -> list[str]:
        """Partitions for the months of ``created_us`` (an iterable of µs); returns those created.

        Call inside the write transaction, after the write sequence's advisory lock (which
        serialises writers, so two never create one partition at once)."""
        wanted = {month_of(int(value)) for value in created_us}
        if self.months is not None and wanted <= self.months | self.refused:
            return []
        return ensure_months(connection, wanted, cache=self)


def ensure_months(
    connection: Connection, months: set[int], *, cache: PartitionCache | None = None
) -> list[str]:
    """Partitions for ``months`` (``year * 12 + month - 1``) not yet created; returns their names."""
    known = existing_months(connection)
    now_month = month_of(now_us())
    created: list[str] = []
    refused: set[int] = set()
    for month in sorted(months - known):
        if abs(month - now_month) > ON_DEMAND_YEARS * 12:
            refused.add(month)
            continue
        if _create(connection, month):
            known.add(month)
            created.append(partition_name(month))
        else:
            refused.add(month)
    if cache is not None:
        cache.months = known
        cache.refused |= refused
    return created


def ensure_ahead(connection: Connection, *, ahead: int = AHEAD_MONTHS) -> list[str]:
    """The partitions of this month and the next ``ahead`` (the maintenance job, hourly)."""
    if not is_partitioned(connection):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(7263510)"))  # the writers' lock
    now_month = month_of(now_us())
    return ensure_months(connection, set(range(now_month, now_month + ahead + 1)))
