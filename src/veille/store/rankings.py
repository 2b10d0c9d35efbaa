"""Results computed in the background and kept: the influencer rankings (``influencer_rankings``,
migration 0061) and the trends of hashtags and terms (``trend_results``, migration 0070), one table
each, of the same shape.

One row per set of inputs (filters, scope and options, hashed into ``key``): the ranking computed
from the posts (``result``, the :class:`~veille.analytics.results.AnalyticsResult` as JSON), when it
was computed (``computed_us``), how long that took (``compute_ms``) and the store's state it was
computed on (``watermark``: the posts' last write sequence number and the curated and brand
registries' sizes and last changes). ``family`` groups the inputs that differ only by the range's end (a live
dashboard's "last 30 days"), so that a newer end can be answered from the family's latest ranking
while its own is computed. ``result`` is NULL while a ranking is wanted and not yet computed;
``used_us`` is the last time a request read the row (rows unused for a day are dropped).

What reads and fills them: :mod:`veille.analytics.kept_rankings`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, Index, Integer, String, Table, Text, func, select

from veille.store.schema import brand_accounts, curated_influencers, metadata, posts, topics

__all__ = ["influencer_rankings", "trend_results", "trends_watermark", "watermark"]


def _kept_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("key", String(64), primary_key=True),
        Column("family", String(64), nullable=False),
        Column("inputs", Text, nullable=False),
        Column("result", Text),
        Column("watermark", String(200)),
        Column("computed_us", BigInteger),
        Column("compute_ms", Integer),
        Column("wanted_us", BigInteger),
        Column("used_us", BigInteger, nullable=False),
        Index(f"ix_{name}_family", "family", "computed_us"),
        Index(f"ix_{name}_used", "used_us"),
    )


influencer_rankings = _kept_table("influencer_rankings")
trend_results = _kept_table("trend_results")


def watermark(connection: Connection) -> str:
    """The store's state a ranking depends on: any post written (a new ``seq`` on every write, an
    edit included) or any change to the curated influencers or the brand registry changes it."""
    return _state(connection, (curated_influencers, brand_accounts))


def trends_watermark(connection: Connection) -> str:
    """The store's state trends depend on: any post written, or any topic created, changed or
    deleted (a topic filter reads ``post_topics``)."""
    return _state(connection, (topics,))


def _state(connection: Connection, tables: tuple[Table, ...]) -> str:
    last_seq = connection.execute(select(func.max(posts.c.seq))).scalar_one_or_none()
    parts = [str(int(last_seq or 0))]
    for table in tables:
        count, updated = connection.execute(select(func.count(), func.max(table.c.updated_us))).one()
        parts.append(f"{int(count)}.{int(updated or 0)}")
    return ":".join(parts)
