"""Influencers: ranked authors of the posts matching the filters (a topic, a country…), and an author page.

**Score** (0-100) of an author, from three parts each scaled to [0, 1] over the authors ranked:

- *reach*: ``log10(1 + followers) / log10(1 + largest followers)`` (log-scaled: 1M followers is not
  a thousand times 1k as influence);
- *engagement* received: likes + reposts + replies of the author's own posts (reposts they made
  excluded), ``log10(1 + e) / log10(1 + largest e)``;
- *authority*: PageRank (networkx, damping 0.85, weighted) over the graph where each post draws an
  edge from its author to whom it mentions, reposts, quotes or replies to, divided by the largest
  PageRank among the ranked authors.

``score = 100 * (0.3 reach + 0.3 engagement + 0.4 authority)`` (weights adjustable). Nodes are
``(platform, folded handle)``: ``@alice`` on X and on Bluesky are two people. A repost's copied
text adds no mention edges (the original already drew them). Parents of replies, reposts and quotes
are found among the posts read, then in the store *within the caller's scope* (any time), so a
post outside the scope never lends its author to the graph.

**Bounded work**: at most ``max_posts`` posts (default 200,000, the most recent of the range) are
read; ``meta.posts_read`` and ``meta.truncated`` say what was used.

**Category** (journalist, blogger, elected, media, brand, other): see :mod:`veille.influencers.categories`.
Brand accounts — registered ones (``veille accounts``) whatever else they are called, and authors
classified ``brand`` — are left out unless ``include_brands`` or ``category=brand``.

**Country** of an author: the curated list's, else the one the geo stage read from the author's
profile (posts whose ``entities["country_from"]`` is ``location`` or ``timezone``), else the most
frequent country of their posts in the range. A ``country`` filter keeps the *authors* of those
countries, with all their posts of the range: an author whose posts mostly carry no country (a
geotag on one post in ten) still ranks, with all ten. The caller's scope still bounds the posts
read (a post of unknown country is outside a country-restricted scope).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
from sqlalchemy import Connection, desc, func, select

from veille.analytics.buckets import Bucketer
from veille.analytics.filters import AnalyticsFilter, Criteria
from veille.analytics.reader import posts_conditions
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import from_us
from veille.errors import Invalid, NotFound
from veille.influencers.categories import Category, classify
from veille.influencers.models import CATEGORIES
from veille.store.schema import brand_accounts, curated_influencers, post_topics, posts
from veille.store.sql import SqlStore
from veille.text import extract_mentions, handle_key

__all__ = [
    "DEFAULT_WEIGHTS",
    "INFLUENCER_COLUMNS",
    "MAX_GRAPH_POSTS",
    "AuthorNotFound",
    "AuthorPage",
    "Weights",
    "author_page",
    "influencers",
    "pagerank",
]

MAX_GRAPH_POSTS = 200_000
# What the geo stage records (entities["country_from"]) when a post's country came from its author's
# profile rather than from the platform.
_PROFILE_EVIDENCE = frozenset({"location", "timezone"})
MAX_AUTHOR_POSTS = 100_000
_CHUNK = 1000
INFLUENCER_COLUMNS: tuple[str, ...] = (
    "rank",
    "source",
    "handle",
    "name",
    "category",
    "category_evidence",
    "country",
    "followers",
    "posts",
    "engagement",
    "mentions_received",
    "reposts_received",
    "replies_received",
    "pagerank",
    "reach_score",
    "engagement_score",
    "authority_score",
    "score",
)

Node = tuple[str, str]  # (platform, folded handle)


@dataclass(frozen=True, slots=True)
class Weights:
    reach: float = 0.3
    engagement: float = 0.3
    authority: float = 0.4

    def __post_init__(self) -> None:
        values = (self.reach, self.engagement, self.authority)
        if any(value < 0 or not math.isfinite(value) for value in values) or sum(values) <= 0:
            raise Invalid(
                "weights: reach, engagement and authority must be >= 0 with a positive sum", field="weights"
            )


DEFAULT_WEIGHTS = Weights()


class AuthorNotFound(NotFound):
    """No post of that author in the range (HTTP 404)."""


@dataclass(slots=True)
class _Author:
    posts: int = 0
    engagement: int = 0
    followers: int = 0
    name: str | None = None
    brand_flag: bool = False
    latest_us: int = -1
    latest_id: str = ""
    countries: Counter[str] = field(default_factory=Counter)  # of the author's posts
    profile_countries: Counter[str] = field(default_factory=Counter)  # read from the profile at ingest

    def country(self, curated: str | None) -> str | None:
        """Curated, else the profile's (as the geo stage read it), else the posts' most frequent."""
        return curated or _main_country(self.profile_countries) or _main_country(self.countries)


def pagerank(edges: Mapping[tuple[Node, Node], float], *, nodes: Sequence[Node] = ()) -> dict[Node, float]:
    """PageRank (damping 0.85, weighted edges) of every node; sums to 1. Empty graph: empty result."""
    graph: nx.DiGraph[Node] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for (origin, target), weight in edges.items():
        graph.add_edge(origin, target, weight=weight)
    if graph.number_of_nodes() == 0:
        return {}
    ranks: dict[Node, float] = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-10, max_iter=200)
    return ranks


def _engagement(row: Any) -> int:
    return int(row.likes or 0) + int(row.reposts or 0) + int(row.replies or 0)


def _resolve_parents(
    connection: Connection, wanted: set[str], known: dict[str, Node], scope: Scope
) -> dict[str, Node]:
    """Authors of the parent posts not among those read, looked up within the scope only."""
    missing = sorted(wanted - known.keys())
    found: dict[str, Node] = {}
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        query = select(posts.c.id, posts.c.source, posts.c.author_handle).where(
            posts.c.id.in_(chunk), *scope.post_conditions()
        )
        for row in connection.execute(query):
            found[row.id] = (row.source, row.author_handle)
    return found


def _known_categories(connection: Connection) -> tuple[dict[Node, str], frozenset[Node], dict[Node, str]]:
    curated: dict[Node, str] = {}
    curated_country: dict[Node, str] = {}
    for row in connection.execute(
        select(curated_influencers.c.platform, curated_influencers.c.handle_key, curated_influencers.c.category,
               curated_influencers.c.country)
    ):  # fmt: skip
        curated[(row.platform, row.handle_key)] = row.category
        if row.country:
            curated_country[(row.platform, row.handle_key)] = row.country
    registry = frozenset(
        (row.platform, row.handle_key)
        for row in connection.execute(select(brand_accounts.c.platform, brand_accounts.c.handle_key))
    )
    return curated, registry, curated_country


def _profiles(connection: Connection, post_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The ``author`` object of each post's stored document (bio, name, location)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(post_ids), _CHUNK):
        query = select(posts.c.id, posts.c.doc).where(posts.c.id.in_(post_ids[start : start + _CHUNK]))
        for row in connection.execute(query):
            doc = json.loads(row.doc) if isinstance(row.doc, str) else row.doc
            author = doc.get("author") if isinstance(doc, dict) else None
            found[row.id] = author if isinstance(author, dict) else {}
    return found


def influencers(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    limit: int = 50,
    category: str | None = None,
    min_posts: int = 1,
    include_brands: bool = False,
    weights: Weights = DEFAULT_WEIGHTS,
    max_posts: int = MAX_GRAPH_POSTS,
) -> AnalyticsResult:
    """Authors of the posts matching ``filters`` within ``scope``, by score (ties: platform, handle).

    ``category`` keeps one category; without it, brand accounts (ours and competitors', which
    customers mention all day) are left out unless ``include_brands``. ``min_posts`` drops authors
    with fewer posts in the range. Scores are scaled over every author of the range, brands included,
    so leaving brands out of the list does not change anyone's score.
    """
    if not 1 <= limit <= 1000:
        raise Invalid("limit: must be between 1 and 1000", field="limit")
    if category is not None and category not in CATEGORIES:
        raise Invalid(f"category: {category!r} is not one of {', '.join(CATEGORIES)}", field="category")
    if min_posts < 1:
        raise Invalid("min_posts: must be at least 1", field="min_posts")
    # A country filter keeps authors of those countries (see the module), not posts: every post of
    # the range is read (the scope's countries still bound them), and authors are placed afterwards.
    asked_countries = filters.countries
    criteria = replace(filters, countries=None).within(scope)
    authors: dict[Node, _Author] = defaultdict(_Author)
    author_of: dict[str, Node] = {}
    links: list[tuple[Node, str, str]] = []  # (author, kind, parent id)
    edges: dict[tuple[Node, Node], float] = defaultdict(float)
    received: dict[Node, Counter[str]] = defaultdict(Counter)
    posts_read, truncated = 0, False
    rows_out: list[dict[str, Any]] = []
    with store.engine.connect() as connection:
        if not criteria.matches_nothing:
            query = (
                select(
                    posts.c.id,
                    posts.c.source,
                    posts.c.author_handle,
                    posts.c.author_name,
                    posts.c.author_followers,
                    posts.c.is_brand_account,
                    posts.c.country,
                    posts.c.created_us,
                    posts.c.text,
                    posts.c.reply_to,
                    posts.c.repost_of,
                    posts.c.quote_of,
                    posts.c.likes,
                    posts.c.reposts,
                    posts.c.replies,
                    posts.c.doc["entities"]["country_from"].as_string().label("country_from"),
                )
                .where(*posts_conditions(criteria, criteria.start_us, criteria.end_us))
                .order_by(desc(posts.c.created_us), posts.c.id)
                .limit(max_posts + 1)
            )
            for row in connection.execution_options(yield_per=5000).execute(query):
                if posts_read == max_posts:
                    truncated = True
                    break
                posts_read += 1
                node: Node = (row.source, row.author_handle)
                author_of[row.id] = node
                author = authors[node]
                author.posts += 1
                author.followers = max(author.followers, int(row.author_followers or 0))
                author.brand_flag = author.brand_flag or bool(row.is_brand_account)
                if row.country:
                    author.countries[row.country] += 1
                    if row.country_from in _PROFILE_EVIDENCE:
                        author.profile_countries[row.country] += 1
                if int(row.created_us) > author.latest_us:
                    author.latest_us, author.latest_id = int(row.created_us), row.id
                    author.name = row.author_name or author.name
                if row.repost_of:
                    links.append((node, "reposts", row.repost_of))
                    continue  # a repost's text and metrics are the original's
                author.engagement += _engagement(row)
                if row.reply_to:
                    links.append((node, "replies", row.reply_to))
                if row.quote_of:
                    links.append((node, "quotes", row.quote_of))
                for mentioned in {handle for handle, _ in extract_mentions(row.text)}:
                    mentioned_node: Node = (row.source, mentioned)
                    if mentioned_node != node:
                        edges[(node, mentioned_node)] += 1.0
                        received[mentioned_node]["mentions"] += 1
            parents = {parent for _, _, parent in links}
            author_of.update(_resolve_parents(connection, parents, author_of, scope))
            for node, kind, parent in links:
                target = author_of.get(parent)
                if target is not None and target != node:
                    edges[(node, target)] += 1.0
                    received[target][kind] += 1
        curated, registry, curated_country = _known_categories(connection)
        ranks = pagerank(edges, nodes=list(authors))
        ranked = [node for node, author in authors.items() if author.posts >= min_posts]
        # Scores are scaled over every author of the range (all countries, brands included), so an
        # author's score is the same in the whole list and in a country's.
        placed = {node: authors[node].country(curated_country.get(node)) for node in ranked}
        listed = [node for node in ranked if asked_countries is None or placed[node] in asked_countries]
        top_followers = max((authors[node].followers for node in ranked), default=0)
        top_engagement = max((authors[node].engagement for node in ranked), default=0)
        top_rank = max((ranks.get(node, 0.0) for node in ranked), default=0.0)
        total = weights.reach + weights.engagement + weights.authority
        scored: list[tuple[float, Node, float, float, float]] = []
        for node in listed:
            author = authors[node]
            reach = math.log10(1 + author.followers) / math.log10(1 + top_followers) if top_followers else 0.0
            engaged = (
                math.log10(1 + author.engagement) / math.log10(1 + top_engagement) if top_engagement else 0.0
            )
            authority = ranks.get(node, 0.0) / top_rank if top_rank else 0.0
            score = 100 * (
                weights.reach * reach + weights.engagement * engaged + weights.authority * authority
            )
            scored.append((score / total, node, reach, engaged, authority))
        scored.sort(key=lambda item: (-item[0], item[1]))
        # Categories need the profile (bio): read in pages, only as far down as the list goes.
        page = max(limit, 100)
        for first in range(0, len(scored), page):
            chunk = scored[first : first + page]
            profiles = _profiles(connection, [authors[node].latest_id for _, node, *_ in chunk])
            for score, node, reach, engaged, authority in chunk:
                author = authors[node]
                profile = profiles.get(author.latest_id, {})
                found: Category = classify(
                    source=node[0],
                    handle=node[1],
                    bio=profile.get("bio"),
                    name=author.name,
                    brand_flag=author.brand_flag,
                    curated=curated,
                    registry=registry,
                    website=_website(profile),
                )
                if category is not None and found.name != category:
                    continue
                # Brand accounts (registered ones whatever else they are called) only when asked.
                if category != "brand" and not include_brands and (found.name == "brand" or node in registry):
                    continue
                counts = received.get(node, Counter())
                rows_out.append(
                    {
                        "rank": len(rows_out) + 1,
                        "source": node[0],
                        "handle": node[1],
                        "name": author.name,
                        "category": found.name,
                        "category_evidence": found.evidence,
                        "country": placed[node],
                        "followers": author.followers,
                        "posts": author.posts,
                        "engagement": author.engagement,
                        "mentions_received": counts["mentions"],
                        "reposts_received": counts["reposts"],
                        "replies_received": counts["replies"],
                        "pagerank": ranks.get(node, 0.0),
                        "reach_score": reach,
                        "engagement_score": engaged,
                        "authority_score": authority,
                        "score": score,
                    }
                )
                if len(rows_out) == limit:
                    break
            if len(rows_out) == limit:
                break
    meta = {
        "filters": filters.to_json_dict(),
        "scope": scope.to_json_dict(),
        "category": category,
        "include_brands": include_brands,
        "weights": {"reach": weights.reach, "engagement": weights.engagement, "authority": weights.authority},
        "authors": len(listed),
        "graph": {"nodes": len(ranks), "edges": len(edges)},
        "posts_read": posts_read,
        "truncated": truncated,
    }
    return AnalyticsResult(kind="influencers", columns=list(INFLUENCER_COLUMNS), rows=rows_out, meta=meta)


def _website(profile: Mapping[str, Any]) -> str | None:
    """The profile's own link, under the names platforms give it (kept in the author's extra fields)."""
    for key in ("url", "website", "homepage"):
        value = profile.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _main_country(countries: Counter[str]) -> str | None:
    if not countries:
        return None
    return min(countries.items(), key=lambda pair: (-pair[1], pair[0]))[0]


# -- the author page -------------------------------------------------------------------------------


@dataclass(slots=True)
class AuthorPage:
    """One author within the filters: profile, category, totals, topics, series and latest posts."""

    author: dict[str, Any]
    topics: AnalyticsResult
    series: AnalyticsResult
    posts: AnalyticsResult

    def part(self, name: str) -> AnalyticsResult:
        if name not in ("posts", "topics", "series"):
            raise Invalid(f"part: {name!r} is not one of posts, topics, series", field="part")
        result: AnalyticsResult = getattr(self, name)
        return result

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": "author",
            "author": self.author,
            "topics": self.topics.to_json_dict(),
            "series": self.series.to_json_dict(),
            "posts": self.posts.to_json_dict(),
        }


def _author_conditions(criteria: Criteria, source: str | None, handle: str) -> list[Any]:
    conditions = [posts.c.author_handle == handle]
    if source is not None:
        conditions.append(posts.c.source == source)
    return conditions + posts_conditions(criteria, criteria.start_us, criteria.end_us)


def author_page(
    store: SqlStore,
    *,
    handle: str,
    filters: AnalyticsFilter,
    scope: Scope,
    source: str | None = None,
    posts_limit: int = 20,
) -> AuthorPage:
    """The author ``handle`` (any case, with or without ``@``; on ``source`` only when given).

    Raises :class:`AuthorNotFound` when the author has no post in the scope before ``filters.end``.
    The series counts the author's posts and engagement per bucket of ``filters.interval`` (every
    bucket of the range); topics count the posts in each topic of the scope.
    """
    if not 1 <= posts_limit <= 1000:
        raise Invalid("posts_limit: must be between 1 and 1000", field="posts_limit")
    key = handle_key(handle)
    if not key:
        raise Invalid("handle: empty", field="handle")
    platform = source.strip().lower() if source else None
    criteria = filters.within(scope)
    meta = {
        "filters": filters.to_json_dict(),
        "scope": scope.to_json_dict(),
        "handle": key,
        "source": platform,
    }
    with store.engine.connect() as connection:
        latest_query = select(posts.c.id, posts.c.source, posts.c.author_name, posts.c.author_followers,
                              posts.c.author_verified, posts.c.is_brand_account, posts.c.doc)  # fmt: skip
        latest_query = latest_query.where(
            posts.c.author_handle == key, posts.c.created_us < criteria.end_us, *scope.post_conditions()
        )
        if platform is not None:
            latest_query = latest_query.where(posts.c.source == platform)
        latest = connection.execute(latest_query.order_by(desc(posts.c.created_us)).limit(1)).first()
        if latest is None:
            raise AuthorNotFound(
                f"handle: no post by @{key}{f' on {platform}' if platform else ''} in scope", field="handle"
            )
        curated, registry, curated_country = _known_categories(connection)
        doc = json.loads(latest.doc) if isinstance(latest.doc, str) else latest.doc
        profile = doc.get("author", {}) if isinstance(doc, dict) else {}
        node = (latest.source, key)
        category = classify(
            source=latest.source,
            handle=key,
            bio=profile.get("bio"),
            name=latest.author_name,
            brand_flag=bool(latest.is_brand_account),
            curated=curated,
            registry=registry,
            website=_website(profile),
        )
        series, totals = _author_series(connection, criteria, platform, key)
        topics = _author_topics(connection, criteria, platform, key)
        recent = _author_posts(connection, criteria, platform, key, posts_limit)
    author = {
        "source": latest.source,
        "handle": key,
        "name": latest.author_name,
        "followers": latest.author_followers,
        "verified": bool(latest.author_verified),
        "bio": profile.get("bio"),
        "location": profile.get("location"),
        "category": category.name,
        "category_evidence": category.evidence,
        "curated_country": curated_country.get(node),
        **totals,
    }
    return AuthorPage(
        author=author,
        topics=AnalyticsResult("author-topics", ["topic", "posts", "engagement"], topics, meta),
        series=AnalyticsResult("author-series", ["bucket", "posts", "engagement"], series, meta),
        posts=AnalyticsResult(
            "author-posts",
            [
                "id",
                "created_at",
                "source",
                "country",
                "lang",
                "sentiment",
                "likes",
                "reposts",
                "replies",
                "views",
                "engagement",
                "reply_to",
                "repost_of",
                "url",
                "text",
            ],
            recent,
            meta,
        ),
    )


def _author_series(
    connection: Connection, criteria: Criteria, source: str | None, key: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    bucketer = Bucketer(criteria.interval, criteria.zone)
    per_bucket: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    totals = {"posts": 0, "reposts_made": 0, "engagement": 0}
    if not criteria.matches_nothing:
        query = (
            select(posts.c.created_us, posts.c.repost_of, posts.c.likes, posts.c.reposts, posts.c.replies)
            .where(*_author_conditions(criteria, source, key))
            .order_by(desc(posts.c.created_us))
            .limit(MAX_AUTHOR_POSTS)
        )
        for row in connection.execute(query):
            bucket = per_bucket[bucketer.floor(int(row.created_us))]
            bucket[0] += 1
            totals["posts"] += 1
            if row.repost_of:
                totals["reposts_made"] += 1
                continue
            bucket[1] += _engagement(row)
            totals["engagement"] += _engagement(row)
    rows = [
        {"bucket": bucketer.label(start), "posts": per_bucket[start][0], "engagement": per_bucket[start][1]}
        for start in bucketer.buckets(criteria.start_us, criteria.end_us)
    ]
    return rows, totals


def _author_topics(
    connection: Connection, criteria: Criteria, source: str | None, key: str
) -> list[dict[str, Any]]:
    if criteria.matches_nothing:
        return []
    engagement = (
        func.coalesce(posts.c.likes, 0)
        + func.coalesce(posts.c.reposts, 0)
        + func.coalesce(posts.c.replies, 0)
    )
    query = (
        select(post_topics.c.topic, func.count(), func.sum(engagement))
        .select_from(posts.join(post_topics, post_topics.c.post_id == posts.c.id))
        .where(*_author_conditions(criteria, source, key), posts.c.repost_of.is_(None))
        .group_by(post_topics.c.topic)
    )
    if criteria.topics is not None:
        query = query.where(post_topics.c.topic.in_(sorted(criteria.topics)))
    found = [
        {"topic": topic, "posts": int(count), "engagement": int(total or 0)}
        for topic, count, total in connection.execute(query)
    ]
    return sorted(found, key=lambda row: (-row["posts"], row["topic"]))


def _author_posts(
    connection: Connection, criteria: Criteria, source: str | None, key: str, limit: int
) -> list[dict[str, Any]]:
    if criteria.matches_nothing:
        return []
    query = (
        select(posts)
        .where(*_author_conditions(criteria, source, key))
        .order_by(desc(posts.c.created_us), posts.c.id)
        .limit(limit)
    )
    return [
        {
            "id": row.id,
            "created_at": from_us(int(row.created_us)).astimezone(criteria.zone),
            "source": row.source,
            "country": row.country,
            "lang": row.lang,
            "sentiment": row.sentiment_label,
            "likes": row.likes,
            "reposts": row.reposts,
            "replies": row.replies,
            "views": row.views,
            "engagement": _engagement(row),
            "reply_to": row.reply_to,
            "repost_of": row.repost_of,
            "url": row.url,
            "text": row.text,
        }
        for row in connection.execute(query)
    ]
