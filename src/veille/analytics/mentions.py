"""The posts behind a figure: the explorer's search, its exports and ``GET /api/v1/posts``.

A search takes the dashboards' filters (time range, topics, countries, languages, sources,
sentiments, near-duplicates or not) with the same meaning as the analytics (a drill-down from a
chart lists exactly the posts it counted), plus a full-text ``text`` and a query-language ``query``.

The query is evaluated exactly, post by post, with the matcher that puts posts under topics. To
avoid reading every post of the range, the SQL reads first narrow the candidates with the
full-text index when that is sound: the query's *required keys* (every matching post holds one of
them, :func:`veille.query.required_keys`) are all words or word prefixes of the text, which the
index holds folded the same way. A post whose text holds look-alike letters (``nоva`` with a
Cyrillic ``о``) is indexed as written but matched as its Latin skeleton, so such posts stay
candidates whatever the index says. Without usable keys (``NOT x`` alone, ``lang:fr``…) the range
is read in full.

Pages are newest first with a keyset cursor on ``(created_at, id)``. A page stops at ``limit``
matches or after examining :data:`SCAN_BUDGET` posts, whichever comes first: a rare query over a
long range then answers in bounded time with fewer items and a cursor that resumes exactly where
the scan stopped (``scanned`` says how many posts were examined).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, text

from veille.analytics.filters import SENTIMENTS
from veille.analytics.scope import Scope
from veille.clock import to_us
from veille.errors import Invalid
from veille.model import Post
from veille.query import required_keys
from veille.query.confusables import has_look_alike, look_alike_letters
from veille.store.base import Cursor, decode_cursor, encode_cursor
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore
from veille.text import fold
from veille.topics.evaluate import CompiledQuery, compile_query
from veille.topics.live import LiveTopics

__all__ = [
    "SCAN_BUDGET",
    "MentionFilter",
    "MentionHit",
    "MentionPage",
    "iter_mentions",
    "search_mentions",
]

SCAN_BUDGET = 20_000
_CHUNK = 500  # rows read per SQL round trip while scanning


@dataclass(frozen=True, slots=True)
class MentionFilter:
    """What to find. ``None`` for a set means "no restriction"; an empty set matches nothing."""

    query: str | None = None
    text: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    topics: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    sentiments: frozenset[str] | None = None
    authors: tuple[str, ...] = ()
    include_duplicates: bool = True

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise Invalid("from: must be before to", field="from")
        if self.sentiments is not None:
            unknown = sorted(self.sentiments - set(SENTIMENTS))
            if unknown:
                named = ", ".join(repr(value) for value in unknown)
                raise Invalid(f"sentiment: {named} is not one of {', '.join(SENTIMENTS)}", field="sentiment")


@dataclass(frozen=True, slots=True)
class MentionHit:
    post: Post
    spans: list[list[int]]

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.post.to_json_dict(), "highlights": self.spans}


@dataclass(slots=True)
class MentionPage:
    items: list[MentionHit]
    next_cursor: str | None
    scanned: int


def _conditions(store: SqlStore, filters: MentionFilter, scope: Scope) -> list[Any]:
    conditions: list[Any] = list(scope.post_conditions())
    if filters.start is not None:
        conditions.append(posts.c.created_us >= to_us(filters.start))
    if filters.end is not None:
        conditions.append(posts.c.created_us < to_us(filters.end))
    if filters.countries is not None:
        conditions.append(posts.c.country.in_(sorted(filters.countries)))
    if filters.languages is not None:
        conditions.append(posts.c.lang.in_(sorted(filters.languages)))
    if filters.sources is not None:
        conditions.append(posts.c.source.in_(sorted(filters.sources)))
    if filters.sentiments is not None:
        conditions.append(posts.c.sentiment_label.in_(sorted(filters.sentiments)))
    if not filters.include_duplicates:
        conditions.append(posts.c.duplicate_of.is_(None))
    if filters.authors:
        conditions.append(posts.c.author_handle.in_([fold(a.removeprefix("@")) for a in filters.authors]))
    if filters.topics is not None:
        # As the analytics read them: the post has a stored match of one of the topics.
        matched = select(post_topics.c.post_id).where(
            post_topics.c.post_id == posts.c.id, post_topics.c.topic.in_(sorted(filters.topics))
        )
        conditions.append(matched.exists())
    if filters.text:
        conditions.append(store.full_text_condition(filters.text))
    return conditions


_LOOK_ALIKE_SQL_FUNCTION = "veille_has_look_alike"


def _look_alike_flag(value: str | None) -> int:
    return 1 if value and has_look_alike(value) else 0


def _prepare_connection(connection: Any, dialect: str) -> None:
    """SQLite has no fast "holds one of these characters" test (GLOB with a class of 300 letters
    takes over a minute per 100,000 posts): the matcher's own test is registered instead."""
    if dialect == "sqlite":
        driver = connection.connection.driver_connection
        driver.create_function(_LOOK_ALIKE_SQL_FUNCTION, 1, _look_alike_flag, deterministic=True)


def _look_alike_condition(dialect: str) -> Any:
    """Posts whose text holds a look-alike letter (those the matcher folds, and more)."""
    if dialect == "postgresql":
        letters = look_alike_letters()
        escaped = "".join("\\" + ch if ch in "\\]^-[" else ch for ch in letters)
        return text("posts.text ~ :look_alikes").bindparams(look_alikes=f"[{escaped}]")
    return func.coalesce(getattr(func, _LOOK_ALIKE_SQL_FUNCTION)(posts.c.text), 0) == 1


def _prefilter(store: SqlStore, compiled: CompiledQuery) -> Any | None:
    """A full-text condition every post the query matches meets, or None when none is sound."""
    required = required_keys(compiled.query.root, lambda name: compiled.saved[name].root)
    if required is None:
        return None
    terms: list[str] = []
    for kind, value in sorted(required[0]):
        if not value or not value.isalnum():
            return None
        if kind == "t":
            terms.append(f'"{value}"')
        elif kind == "tp":
            terms.append(f"{value}*")
        else:
            return None
    if not terms:
        return None
    return or_(store.full_text_condition(" OR ".join(terms)), _look_alike_condition(store.dialect))


def _page_query(conditions: list[Any], after: Cursor | None, limit: int) -> Any:
    where = list(conditions)
    if after is not None:
        where.append(
            or_(
                posts.c.created_us < after.created_us,
                and_(posts.c.created_us == after.created_us, posts.c.id < after.post_id),
            )
        )
    return (
        select(posts.c.id, posts.c.created_us, posts.c.doc)
        .where(and_(literal(True), *where))
        .order_by(posts.c.created_us.desc(), posts.c.id.desc())
        .limit(limit)
    )


def _post_of(doc: Any) -> Post:
    if isinstance(doc, str):  # SQLite drivers may hand JSON back as text
        return Post.model_validate_json(doc)
    return Post.model_validate(doc)


def _topic_spans(post: Post, wanted: frozenset[str] | None) -> list[list[int]]:
    if not wanted:
        return []
    found = sorted({tuple(span) for match in post.topics if match.name in wanted for span in match.spans})
    return [list(span) for span in found]


def _compiled(live: LiveTopics, filters: MentionFilter) -> CompiledQuery | None:
    if filters.query is None or not filters.query.strip():
        return None
    return compile_query(live=live, text=filters.query)


def _scan(
    store: SqlStore,
    filters: MentionFilter,
    scope: Scope,
    live: LiveTopics,
    after: Cursor | None,
    budget: int | None,
) -> Iterator[tuple[Cursor, MentionHit | None]]:
    """Every post examined, newest first, with its hit (None when the query refused it)."""
    compiled = _compiled(live, filters)
    conditions = _conditions(store, filters, scope)
    if compiled is not None:
        narrowing = _prefilter(store, compiled)
        if narrowing is not None:
            conditions.append(narrowing)
    examined = 0
    while budget is None or examined < budget:
        chunk = _CHUNK if budget is None else min(_CHUNK, budget - examined)
        with store.engine.connect() as connection:
            _prepare_connection(connection, store.dialect)
            rows = connection.execute(_page_query(conditions, after, chunk)).all()
        for row in rows:
            examined += 1
            after = Cursor(int(row.created_us), str(row.id))
            post = _post_of(row.doc)
            if compiled is None:
                yield after, MentionHit(post, _topic_spans(post, filters.topics))
                continue
            view = compiled.test(post)
            yield after, None if view is None else MentionHit(post, compiled.spans(view))
        if len(rows) < chunk:
            return


def search_mentions(
    *,
    store: SqlStore,
    live: LiveTopics,
    filters: MentionFilter,
    scope: Scope,
    limit: int = 50,
    cursor: str | None = None,
    scan_budget: int = SCAN_BUDGET,
) -> MentionPage:
    """One page of matching posts, newest first, each with its highlight spans."""
    after = decode_cursor(cursor) if cursor else None
    items: list[MentionHit] = []
    scanned = 0
    last: Cursor | None = None
    exhausted = True
    # Without a query every post read is a match, so one more row tells whether a next page exists.
    # With one, looking for the next match could mean evaluating thousands of posts: the page ends
    # at its last match and the next one (perhaps empty) says.
    peek = filters.query is None or not filters.query.strip()
    for position, hit in _scan(store, filters, scope, live, after, scan_budget + 1):
        if scanned == scan_budget or (len(items) == limit and hit is not None):
            exhausted = False  # there is more to read: resume right after the last post kept
            break
        scanned += 1
        last = position
        if hit is not None:
            items.append(hit)
            if len(items) == limit and not peek:
                exhausted = False
                break
    next_cursor = None if exhausted or last is None else encode_cursor(last)
    return MentionPage(items=items, next_cursor=next_cursor, scanned=scanned)


def iter_mentions(
    *, store: SqlStore, live: LiveTopics, filters: MentionFilter, scope: Scope
) -> Iterator[MentionHit]:
    """Every matching post, newest first, read in small chunks (exports: never all in memory)."""
    for _, hit in _scan(store, filters, scope, live, None, None):
        if hit is not None:
            yield hit
