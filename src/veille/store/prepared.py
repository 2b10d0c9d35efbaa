"""A batch of posts turned into what the store writes, before any connection is open.

:func:`prepare_posts` is pure (no I/O, no clock): it builds, once per post, the ``posts`` row as a
tuple (the JSON document serialised once, by pydantic's Rust serialiser; the full-text words), the
``post_topics`` rows, the rows of the addressee index that the post alone decides, and the posts'
contribution to the minute rollups, already summed per key over the whole batch. The writer
(:meth:`veille.store.sql.SqlStore.write_prepared`) sums those into the coarser rollup tables, then
only runs SQL with driver-level ``executemany`` over ready tuples, correcting the rollup sums for
the rows the batch replaces.

So the expensive half of a write can run on another thread or process than the transaction
(the pipeline prepares batch N+1 while batch N commits), and the rollups cost one upsert per key
per batch, however many posts share the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from veille.clock import to_us
from veille.model import Post
from veille.store import rollups
from veille.store.addressees import AddresseeSource, addressee_source
from veille.store.fulltext import searchable_text
from veille.text import fold

__all__ = ["POST_COLUMNS", "PreparedPosts", "prepare_posts"]

# The ``posts`` columns a prepared row holds, in order; ``seq`` and ``ingested_us`` are given by the
# writer (they depend on the transaction) and come first.
POST_COLUMNS: tuple[str, ...] = (
    "seq",
    "ingested_us",
    "id",
    "source",
    "created_us",
    "text",
    "search_text",
    "lang",
    "country",
    "author_id",
    "author_handle",
    "author_name",
    "author_followers",
    "author_verified",
    "url",
    "reply_to",
    "repost_of",
    "quote_of",
    "sentiment_label",
    "sentiment_score",
    "duplicate_of",
    "is_brand_account",
    "likes",
    "reposts",
    "replies",
    "views",
    "doc",
)


@dataclass(slots=True)
class PreparedPosts:
    """One batch, ready to write: plain values only, so it crosses a process boundary cheaply."""

    ids: list[str] = field(default_factory=list)
    # POST_COLUMNS[2:] of each post, in the order of ``ids``.
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    # (post_id, topic, created_us, spans as JSON text)
    topic_rows: list[tuple[str, str, int, str]] = field(default_factory=list)
    originals: list[AddresseeSource] = field(default_factory=list)
    # Per post id: (source, folded author handle), for the replies stored before their parent.
    authors: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (reply_to, source, folded author handle) of each post that replies (the care summaries).
    replies: list[tuple[str, str, str]] = field(default_factory=list)
    # The batch's contribution to the minute rows, summed per key; the writer sums it into the
    # coarser tables (rollups.project), which balances the work of the two sides.
    minute_sums: dict[rollups.Key, list[int]] = field(default_factory=dict)
    # The posts themselves, when prepared in the writer's process (the live stream needs them).
    posts: list[Post] | None = None

    def __len__(self) -> int:
        return len(self.ids)


def _spans_json(spans: Sequence[tuple[int, int]]) -> str:
    # "%d" (integers, as int() did) in one formatting per pair: a third cheaper than f-strings.
    return "[" + ",".join(["[%d,%d]" % (start, end) for start, end in spans]) + "]"  # noqa: UP031


def prepare_posts(posts_in: Sequence[Post], *, keep_posts: bool = True) -> PreparedPosts:
    """What the store writes for ``posts_in`` (the last version of an id repeated in the batch wins)."""
    latest = list({post.id: post for post in posts_in}.values())
    prepared = PreparedPosts(posts=latest if keep_posts else None)
    for post in latest:
        created_us = to_us(post.created_at)
        sentiment = post.sentiment
        metrics = post.metrics
        author = post.author
        author_handle = fold(author.handle)
        prepared.ids.append(post.id)
        prepared.rows.append(
            (
                post.id,
                post.source,
                created_us,
                post.text,
                searchable_text(post),
                post.lang,
                post.country,
                author.id,
                author_handle,
                author.name,
                author.followers,
                author.verified,
                post.url,
                post.reply_to,
                post.repost_of,
                post.quote_of,
                sentiment.label if sentiment else None,
                sentiment.score if sentiment else None,
                post.duplicate_of,
                post.is_brand_account,
                metrics.likes,
                metrics.reposts,
                metrics.replies,
                metrics.views,
                # Serialised once, in Rust; the same JSON as Post.to_json_dict() (RFC 3339 "Z" times).
                post.model_dump_json(),
            )
        )
        topics = {match.name: match for match in post.topics}
        for match in topics.values():
            prepared.topic_rows.append((post.id, match.name, created_us, _spans_json(match.spans)))
        prepared.authors[post.id] = (post.source, author_handle)
        if post.reply_to:
            prepared.replies.append((post.reply_to, post.source, author_handle))
        if post.repost_of is None:
            prepared.originals.append(
                addressee_source(post, created_us=created_us, author_handle=author_handle)
            )
    prepared.minute_sums = dict(rollups.minute_sums(latest))
    return prepared
