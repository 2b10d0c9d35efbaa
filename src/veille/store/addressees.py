"""Whom each post addresses (``post_addressees``), written in the transaction that stores the posts.

The customer-care report (:mod:`veille.analytics.care`) finds an account's inbound posts by one
index range over this table. :meth:`SqlStore.upsert_posts` calls :func:`index_posts` after writing
the posts, so the table is always in step with them and no report has to catch up first (stores
that held posts before migration 0050 catch up their older posts once, in
:func:`veille.analytics.care.refresh_addressee_index`).

Rows of an original post (not a repost): one per handle it mentions (:func:`veille.text.extract_mentions`,
the care spec's rule) and one for the author of the post it replies to, on the same platform. A
post stored again has its rows replaced; a reply stored before the post it answers gets its row
when that post is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from veille.clock import to_us
from veille.model import Post
from veille.store.schema import post_addressees, posts
from veille.text import extract_mentions, fold

__all__ = [
    "AddresseeSource",
    "addressee_row",
    "addressee_source",
    "index_posts",
    "index_prepared",
    "insert_or_ignore",
]

# Bound parameters per statement stay well under SQLite's and psycopg's limits.
_ID_CHUNK = 2000


def addressee_row(
    *, post_id: str, handle: str, source: str, created_us: int, author_handle: str, country: str | None
) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "handle": handle,
        "source": source,
        "created_us": created_us,
        "author_handle": author_handle,
        "country": country,
    }


def insert_or_ignore(connection: Connection) -> Any:
    insert_into = postgres_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return insert_into(post_addressees).on_conflict_do_nothing()


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[start : start + _ID_CHUNK] for start in range(0, len(values), _ID_CHUNK)]


class AddresseeSource(NamedTuple):
    """What the index needs of an original post (a repost addresses nobody): plain values (a
    tuple, so that a prepared batch pickles fast)."""

    post_id: str
    source: str
    created_us: int
    author_handle: str
    country: str | None
    mentions: tuple[str, ...]
    reply_to: str | None


def addressee_source(post: Post, *, created_us: int, author_handle: str) -> AddresseeSource:
    """``post`` (an original) as the index reads it; ``author_handle`` is its folded handle."""
    mentions = tuple(handle for handle, _span in extract_mentions(post.text)) if "@" in post.text else ()
    return AddresseeSource(
        post_id=post.id,
        source=post.source,
        created_us=created_us,
        author_handle=author_handle,
        country=post.country,
        mentions=mentions,
        reply_to=post.reply_to,
    )


def index_posts(connection: Connection, written: Sequence[Post]) -> None:
    """Replace the addressee rows of ``written`` (each id once), already stored in this transaction."""
    originals = []
    for post in written:
        if post.repost_of is None:
            handle = fold(post.author.handle)
            originals.append(addressee_source(post, created_us=to_us(post.created_at), author_handle=handle))
    authors = {post.id: (post.source, fold(post.author.handle)) for post in written}
    index_prepared(connection, [post.id for post in written], originals, authors)


def index_prepared(
    connection: Connection,
    ids: Sequence[str],
    originals: Sequence[AddresseeSource],
    authors: dict[str, tuple[str, str]],
) -> None:
    """:func:`index_posts` from prepared values: ``ids`` stored in this transaction (each once), the
    originals among them, and each id's (source, folded author handle)."""
    if not ids:
        return
    for chunk in _chunks(ids):
        connection.execute(delete(post_addressees).where(post_addressees.c.post_id.in_(chunk)))
    parent_ids = sorted({post.reply_to for post in originals if post.reply_to})
    parents: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(parent_ids):
        query = select(posts.c.id, posts.c.source, posts.c.author_handle).where(posts.c.id.in_(chunk))
        parents.update({row.id: (row.source, row.author_handle) for row in connection.execute(query)})
    addressed: dict[tuple[str, str], dict[str, Any]] = {}
    for post in originals:
        common: dict[str, Any] = {
            "post_id": post.post_id,
            "source": post.source,
            "created_us": post.created_us,
            "author_handle": post.author_handle,
            "country": post.country,
        }
        for handle in post.mentions:
            addressed[(post.post_id, handle)] = common | {"handle": handle}
        parent = parents.get(post.reply_to) if post.reply_to else None
        if parent is not None and parent[0] == post.source:
            addressed[(post.post_id, parent[1])] = common | {"handle": parent[1]}
    # Replies stored earlier than the posts they answer: addressed now that their parent is here.
    for chunk in _chunks(ids):
        late = select(
            posts.c.id,
            posts.c.source,
            posts.c.created_us,
            posts.c.author_handle,
            posts.c.country,
            posts.c.reply_to,
        ).where(posts.c.reply_to.in_(chunk), posts.c.repost_of.is_(None))
        for child in connection.execute(late):
            source, author = authors[child.reply_to]
            if source == child.source and (child.id, author) not in addressed:
                addressed[(child.id, author)] = addressee_row(
                    post_id=child.id,
                    handle=author,
                    source=child.source,
                    created_us=int(child.created_us),
                    author_handle=child.author_handle,
                    country=child.country,
                )
    rows = list(addressed.values())
    for chunk in _chunks(rows):
        connection.execute(insert_or_ignore(connection), list(chunk))
