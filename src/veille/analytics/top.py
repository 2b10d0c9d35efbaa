"""Top posts (by engagement or by reach) and top hashtags, links and domains: drill-downs that read posts.

Hashtags and links are read from the post text with the query language's rules
(:func:`veille.text.extract_hashtags`, :func:`veille.text.extract_urls`) plus the post's own
``links``; domains are the links' hosts without ``www.``. Each is counted once per post, however many
times the post repeats it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Literal

from sqlalchemy import func, literal_column, select

from veille.analytics.filters import AnalyticsFilter, Criteria
from veille.analytics.reader import posts_conditions, read_measures, smallest_shape
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import from_us
from veille.enrich.entities import link_domain
from veille.errors import Invalid
from veille.store.rollups import ALL_TOPICS, DAY_US
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore
from veille.text import extract_hashtags, extract_urls

__all__ = ["MAX_LIMIT", "POST_COLUMNS", "top_domains", "top_hashtags", "top_links", "top_posts"]

MAX_LIMIT = 1000
POST_COLUMNS: tuple[str, ...] = (
    "rank",
    "id",
    "created_at",
    "source",
    "author_handle",
    "author_followers",
    "country",
    "lang",
    "sentiment",
    "likes",
    "reposts",
    "replies",
    "views",
    "engagement",
    "reach",
    "duplicate_of",
    "topics",
    "url",
    "text",
)


# What a top-post row shows (not the whole record: the sort then carries narrow rows).
_POST_FIELDS = (
    "id",
    "created_us",
    "source",
    "author_handle",
    "author_followers",
    "country",
    "lang",
    "sentiment_label",
    "likes",
    "reposts",
    "replies",
    "views",
    "duplicate_of",
    "url",
    "text",
)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")


def _meta(filters: AnalyticsFilter, scope: Scope, **extra: Any) -> dict[str, Any]:
    return {"filters": filters.to_json_dict(), "scope": scope.to_json_dict(), **extra}


def top_posts(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    by: Literal["engagement", "reach"] = "engagement",
    limit: int = 10,
    plan: bool | None = None,
) -> AnalyticsResult:
    """The posts with the most engagement (likes + reposts + replies) or reach (author's followers).

    Ties go to the post id in ascending order, so pages are stable.

    By engagement, when the filters keep enough of the store's posts (:func:`_walk_engagement`), the
    posts are read in the order of ``ix_posts_engagement`` (migration 0061) and the first ``limit``
    that match are the answer, without sorting the range; else the range is read and sorted. Both
    give the same rows (the same query, read another way); ``plan`` forces one (True: the index,
    False: the range), for checks and benchmarks.
    """
    _check_limit(limit)
    if by not in ("engagement", "reach"):
        raise Invalid(f"by: {by!r} is not one of engagement, reach", field="by")
    criteria = filters.within(scope)
    rows: list[dict[str, Any]] = []
    if not criteria.matches_nothing:
        walk = by == "engagement" and plan is not False and (plan or _walk_engagement(store, criteria, limit))
        # Written as ix_posts_engagement is (literal zeros, not parameters) when walking it.
        zero: Any = literal_column("0") if walk else 0
        engagement = (
            func.coalesce(posts.c.likes, zero)
            + func.coalesce(posts.c.reposts, zero)
            + func.coalesce(posts.c.replies, zero)
        )
        reach = func.coalesce(posts.c.author_followers, 0)
        order = engagement if by == "engagement" else reach
        query = (
            select(
                *[posts.c[name] for name in _POST_FIELDS],
                engagement.label("engagement"),
                reach.label("reach"),
            )
            .where(
                *posts_conditions(
                    criteria,
                    criteria.start_us,
                    criteria.end_us,
                    # SQLite keeps no statistics: the other indexes are kept out of its choice.
                    indexed=not (walk and store.dialect == "sqlite"),
                )
            )
            .order_by(order.desc(), posts.c.id)
            .limit(limit)
        )
        with store.engine.connect() as connection:
            found = connection.execute(query).all()
            topics = _topics_of(connection, [row.id for row in found], criteria)
        for rank, row in enumerate(found, start=1):
            rows.append(
                {
                    "rank": rank,
                    "id": row.id,
                    "created_at": from_us(int(row.created_us)).astimezone(criteria.zone),
                    "source": row.source,
                    "author_handle": row.author_handle,
                    "author_followers": row.author_followers,
                    "country": row.country,
                    "lang": row.lang,
                    "sentiment": row.sentiment_label,
                    "likes": row.likes,
                    "reposts": row.reposts,
                    "replies": row.replies,
                    "views": row.views,
                    "engagement": int(row.engagement),
                    "reach": int(row.reach),
                    "duplicate_of": row.duplicate_of,
                    "topics": topics.get(row.id, []),
                    "url": row.url,
                    "text": row.text,
                }
            )
    return AnalyticsResult(
        kind=f"top-posts-by-{by}", columns=list(POST_COLUMNS), rows=rows, meta=_meta(filters, scope, by=by)
    )


ENGAGEMENT_INDEX = "ix_posts_engagement"
# How many index entries walking ix_posts_engagement may be expected to read before it stops paying.
_WALK_BUDGET = 20_000


def _walk_engagement(store: SqlStore, criteria: Criteria, limit: int) -> bool:
    """Is walking the posts by engagement expected to read fewer than ``_WALK_BUDGET`` entries?

    Walking reads about ``limit * all posts / matching posts`` entries before it has ``limit``
    matches; both counts come from the day rollups (a few thousand rows), the matching ones as the
    rollups count them for the filters (several topics: the sum of each topic's posts, an estimate).
    PostgreSQL's planner makes the same choice from its statistics; on SQLite, which keeps none,
    the conditions are written so that no other index can serve them when walking pays.
    """
    with store.engine.connect() as connection:
        table = smallest_shape(DAY_US, {"topic"}).table
        everything = connection.execute(
            select(func.sum(table.c.posts)).where(table.c.topic == ALL_TOPICS)
        ).scalar_one_or_none()
    if not everything:
        return False
    several = criteria.topics is not None and len(criteria.topics) > 1
    totals = read_measures(store, criteria, group_by=("topic",) if several else (), bucketed=False)
    matching = sum(measures[0] for measures in totals.values())
    return limit * int(everything) < _WALK_BUDGET * max(matching, 1)


def _topics_of(connection: Any, post_ids: list[str], criteria: Criteria) -> dict[str, list[str]]:
    """Each post's topics, those of the scope only (a team never learns another team's topic names)."""
    if not post_ids:
        return {}
    query = select(post_topics.c.post_id, post_topics.c.topic).where(post_topics.c.post_id.in_(post_ids))
    if criteria.topics is not None:
        query = query.where(post_topics.c.topic.in_(sorted(criteria.topics)))
    found: dict[str, list[str]] = {}
    for post_id, topic in connection.execute(query.order_by(post_topics.c.post_id, post_topics.c.topic)):
        found.setdefault(post_id, []).append(topic)
    return found


def _hashtags(text: str, _links: list[str]) -> Iterable[str]:
    return (tag for tag, _ in extract_hashtags(text))


def _links(text: str, links: list[str]) -> Iterable[str]:
    return [*links, *extract_urls(text)]


def _domains(text: str, links: list[str]) -> Iterable[str]:
    return (domain for domain in map(link_domain, _links(text, links)) if domain)


def _stored_links(doc: Any) -> list[str]:
    if isinstance(doc, str):  # SQLite drivers may hand JSON back as text
        doc = json.loads(doc)
    links = doc.get("links") if isinstance(doc, dict) else None
    return [link for link in links or [] if isinstance(link, str)]


def _top_items(
    store: SqlStore,
    *,
    kind: str,
    column: str,
    items_of: Callable[[str, list[str]], Iterable[str]],
    needs_links: bool,
    filters: AnalyticsFilter,
    scope: Scope,
    limit: int,
) -> AnalyticsResult:
    _check_limit(limit)
    criteria = filters.within(scope)
    posts_with: Counter[str] = Counter()
    engagement_of: Counter[str] = Counter()
    scanned = 0
    if not criteria.matches_nothing:
        columns = [posts.c.text, posts.c.likes, posts.c.reposts, posts.c.replies]
        if needs_links:
            columns.append(posts.c.doc)
        query = select(*columns).where(*posts_conditions(criteria, criteria.start_us, criteria.end_us))
        with store.engine.connect() as connection:
            for row in connection.execution_options(yield_per=2000).execute(query):
                scanned += 1
                links = _stored_links(row.doc) if needs_links else []
                engagement = (row.likes or 0) + (row.reposts or 0) + (row.replies or 0)
                for item in set(items_of(row.text, links)):
                    posts_with[item] += 1
                    engagement_of[item] += engagement
    ranked = sorted(posts_with.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    rows = [
        {
            "rank": rank,
            column: item,
            "posts": count,
            "share": count / scanned,
            "engagement": engagement_of[item],
        }
        for rank, (item, count) in enumerate(ranked, start=1)
    ]
    return AnalyticsResult(
        kind=kind,
        columns=["rank", column, "posts", "share", "engagement"],
        rows=rows,
        meta=_meta(filters, scope, posts_scanned=scanned),
    )


def top_hashtags(
    store: SqlStore, *, filters: AnalyticsFilter, scope: Scope, limit: int = 20
) -> AnalyticsResult:
    """Hashtags (folded, without ``#``) by the number of posts using them; ``share`` of the posts read."""
    return _top_items(
        store,
        kind="top-hashtags",
        column="hashtag",
        items_of=_hashtags,
        needs_links=False,
        filters=filters,
        scope=scope,
        limit=limit,
    )


def top_links(store: SqlStore, *, filters: AnalyticsFilter, scope: Scope, limit: int = 20) -> AnalyticsResult:
    """Links (as written) by the number of posts sharing them."""
    return _top_items(
        store,
        kind="top-links",
        column="link",
        items_of=_links,
        needs_links=True,
        filters=filters,
        scope=scope,
        limit=limit,
    )


def top_domains(
    store: SqlStore, *, filters: AnalyticsFilter, scope: Scope, limit: int = 20
) -> AnalyticsResult:
    """Domains of the links (host, lower case, without ``www.``) by the number of posts linking to them."""
    return _top_items(
        store,
        kind="top-domains",
        column="domain",
        items_of=_domains,
        needs_links=True,
        filters=filters,
        scope=scope,
        limit=limit,
    )
