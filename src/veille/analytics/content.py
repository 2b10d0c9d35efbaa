"""Content performance of our own accounts' posts: engagement and engagement rate by topic, format,
hour of day (in the requested time zone) or account, and the best and worst posts.

*Our* accounts are the brand accounts registered with ``ours`` (:mod:`veille.accounts`); a post is
theirs when its platform and folded author handle are an account's. Replies (customer care) and
reposts are not content and are left out unless ``include_replies``.

- **engagement** = likes + reposts + replies;
- **engagement rate** of a post = engagement / views when the platform gives views, else
  engagement / followers of the account at posting time; a group's rate is the *mean of its posts'
  rates* (each post weighs the same, as social teams compare posts), over the posts that have one
  (``rated_posts``).
- **format** (:func:`post_format`): ``video`` or ``image`` when the post carries media
  (``extra["media"]`` as ``[{"type": "video"|"image"|"gif"|"photo"}]``, Reddit's ``extra["domain"]``)
  or links to a video or image host or file; else ``link`` when it has a link; else ``text``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from sqlalchemy import select

from veille.accounts import account_label, handle_key, list_accounts
from veille.analytics.filters import AnalyticsFilter, Criteria
from veille.analytics.reader import posts_conditions
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.clock import from_us
from veille.enrich.entities import link_domain
from veille.errors import Invalid
from veille.store.schema import post_topics, posts
from veille.store.sql import SqlStore
from veille.text import extract_urls

__all__ = [
    "CONTENT_FORMATS",
    "CONTENT_GROUPS",
    "GROUP_COLUMNS",
    "POST_COLUMNS",
    "content_performance",
    "content_posts",
    "engagement_rate",
    "post_format",
]

CONTENT_FORMATS: tuple[str, ...] = ("text", "link", "image", "video")
CONTENT_GROUPS: tuple[str, ...] = ("format", "topic", "hour", "account")
GROUP_COLUMNS: tuple[str, ...] = (
    "posts",
    "engagement",
    "engagement_mean",
    "engagement_rate",
    "rated_posts",
    "likes",
    "reposts",
    "replies",
    "views",
)
POST_COLUMNS: tuple[str, ...] = (
    "rank",
    "id",
    "created_at",
    "account",
    "format",
    "topics",
    "likes",
    "reposts",
    "replies",
    "views",
    "followers",
    "engagement",
    "engagement_rate",
    "url",
    "text",
)
_VIDEO_HOSTS = (
    "youtube.com",
    "youtu.be",
    "vimeo.com",
    "tiktok.com",
    "dailymotion.com",
    "twitch.tv",
    "v.redd.it",
)
_IMAGE_HOSTS = ("imgur.com", "i.imgur.com", "pbs.twimg.com", "i.redd.it", "flickr.com", "unsplash.com")
_VIDEO_FILES = (".mp4", ".mov", ".webm", ".m3u8", ".avi")
_IMAGE_FILES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
_MEDIA_KINDS = {"video": "video", "animated_gif": "video", "image": "image", "photo": "image", "gif": "image"}


def _host_is(host: str, hosts: Iterable[str]) -> bool:
    return any(host == known or host.endswith("." + known) for known in hosts)


def post_format(doc: Mapping[str, Any]) -> str:
    """``video``, ``image``, ``link`` or ``text`` for a stored post document (see the module's doc)."""
    extra = doc.get("extra") if isinstance(doc.get("extra"), Mapping) else {}
    assert isinstance(extra, Mapping)
    media = extra.get("media")
    kinds: set[str] = set()
    if isinstance(media, list):
        for item in media:
            kind = item.get("type") if isinstance(item, Mapping) else item
            if isinstance(kind, str) and kind.lower() in _MEDIA_KINDS:
                kinds.add(_MEDIA_KINDS[kind.lower()])
    domain = extra.get("domain")
    links = [link for link in doc.get("links") or [] if isinstance(link, str)]
    links += extract_urls(str(doc.get("text") or ""))
    hosts = [host for host in (link_domain(link) for link in links) if host]
    if isinstance(domain, str):
        hosts.append(domain.lower())
    paths = [link.lower().split("?", 1)[0] for link in links]
    if (
        "video" in kinds
        or any(_host_is(h, _VIDEO_HOSTS) for h in hosts)
        or any(p.endswith(_VIDEO_FILES) for p in paths)
    ):
        return "video"
    if (
        "image" in kinds
        or any(_host_is(h, _IMAGE_HOSTS) for h in hosts)
        or any(p.endswith(_IMAGE_FILES) for p in paths)
    ):
        return "image"
    return "link" if links else "text"


def engagement_rate(engagement: int, views: int | None, followers: int | None) -> float | None:
    """engagement / views when views are known (and not zero), else / followers; ``None`` without either."""
    if views:
        return engagement / views
    if followers:
        return engagement / followers
    return None


def _our_accounts(store: SqlStore, scope: Scope) -> dict[tuple[str, str], str]:
    """``(platform, folded handle) -> label`` of our accounts on platforms the scope allows."""
    return {
        (account.platform, handle_key(account.handle)): account_label(account.platform, account.handle)
        for account in list_accounts(store=store)
        if account.ours and scope.allows_source(account.platform)
    }


def _our_posts(
    store: SqlStore, criteria: Criteria, scope: Scope, include_replies: bool
) -> list[dict[str, Any]]:
    accounts = _our_accounts(store, scope)
    if not accounts or criteria.matches_nothing:
        return []
    conditions = posts_conditions(criteria, criteria.start_us, criteria.end_us)
    conditions += [
        posts.c.author_handle.in_(sorted({key for _, key in accounts})),
        posts.c.source.in_(sorted({platform for platform, _ in accounts})),
        posts.c.repost_of.is_(None),
    ]
    if not include_replies:
        conditions.append(posts.c.reply_to.is_(None))
    query = select(
        posts.c.id, posts.c.source, posts.c.author_handle, posts.c.author_followers, posts.c.created_us,
        posts.c.likes, posts.c.reposts, posts.c.replies, posts.c.views, posts.c.url, posts.c.text, posts.c.doc,
    ).where(*conditions)  # fmt: skip
    found: list[dict[str, Any]] = []
    with store.engine.connect() as connection:
        for row in connection.execution_options(yield_per=2000).execute(query):
            account = accounts.get((row.source, row.author_handle))
            if account is None:  # a handle of ours on another platform is someone else
                continue
            doc = json.loads(row.doc) if isinstance(row.doc, str) else row.doc
            engagement = int(row.likes or 0) + int(row.reposts or 0) + int(row.replies or 0)
            found.append(
                {
                    "id": row.id,
                    "created_us": int(row.created_us),
                    "account": account,
                    "format": post_format(doc if isinstance(doc, Mapping) else {}),
                    "likes": int(row.likes or 0),
                    "reposts": int(row.reposts or 0),
                    "replies": int(row.replies or 0),
                    "views": row.views,
                    "followers": row.author_followers,
                    "engagement": engagement,
                    "engagement_rate": engagement_rate(engagement, row.views, row.author_followers),
                    "url": row.url,
                    "text": row.text,
                }
            )
        topics = _topics_of(connection, [post["id"] for post in found], criteria)
    for post in found:
        post["topics"] = topics.get(post["id"], [])
    return found


def _topics_of(connection: Any, post_ids: list[str], criteria: Criteria) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(post_ids), 1000):
        query = select(post_topics.c.post_id, post_topics.c.topic).where(
            post_topics.c.post_id.in_(post_ids[start : start + 1000])
        )
        if criteria.topics is not None:
            query = query.where(post_topics.c.topic.in_(sorted(criteria.topics)))
        for post_id, topic in connection.execute(query.order_by(post_topics.c.post_id, post_topics.c.topic)):
            found[post_id].append(topic)
    return found


def _meta(filters: AnalyticsFilter, scope: Scope, **extra: Any) -> dict[str, Any]:
    return {"filters": filters.to_json_dict(), "scope": scope.to_json_dict(), **extra}


def content_performance(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    group_by: str = "format",
    include_replies: bool = False,
) -> AnalyticsResult:
    """Our posts' engagement per format, topic, local hour (0-23 in ``filters.tz``) or account.

    A post in several topics counts once per topic. Formats come in the order text, link, image,
    video; hours from 0 to 23; topics and accounts by name. Only groups with posts are listed.
    """
    if group_by not in CONTENT_GROUPS:
        raise Invalid(f"group_by: {group_by!r} is not one of {', '.join(CONTENT_GROUPS)}", field="group_by")
    criteria = filters.within(scope)
    ours = _our_posts(store, criteria, scope, include_replies)
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for post in ours:
        if group_by == "topic":
            keys: list[Any] = list(post["topics"])
        elif group_by == "hour":
            keys = [from_us(post["created_us"]).astimezone(criteria.zone).hour]
        else:
            keys = [post[group_by]]
        for key in keys:
            groups[key].append(post)
    order = {name: index for index, name in enumerate(CONTENT_FORMATS)}
    rows = []
    for key in sorted(
        groups, key=lambda value: (order.get(value, 99), value) if group_by == "format" else value
    ):
        members = groups[key]
        rates = [post["engagement_rate"] for post in members if post["engagement_rate"] is not None]
        engagement = sum(post["engagement"] for post in members)
        rows.append(
            {
                group_by: key,
                "posts": len(members),
                "engagement": engagement,
                "engagement_mean": engagement / len(members),
                "engagement_rate": sum(rates) / len(rates) if rates else None,
                "rated_posts": len(rates),
                "likes": sum(post["likes"] for post in members),
                "reposts": sum(post["reposts"] for post in members),
                "replies": sum(post["replies"] for post in members),
                "views": sum(post["views"] or 0 for post in members),
            }
        )
    meta = _meta(filters, scope, group_by=group_by, include_replies=include_replies, posts=len(ours))
    return AnalyticsResult(
        kind=f"content-performance-by-{group_by}", columns=[group_by, *GROUP_COLUMNS], rows=rows, meta=meta
    )


def content_posts(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    order: Literal["best", "worst"] = "best",
    by: Literal["engagement_rate", "engagement"] = "engagement_rate",
    limit: int = 10,
    include_replies: bool = False,
) -> AnalyticsResult:
    """Our best (or worst) posts by engagement rate (posts without a rate left out) or engagement.

    Ties go to the post id in ascending order.
    """
    if order not in ("best", "worst"):
        raise Invalid(f"order: {order!r} is not one of best, worst", field="order")
    if by not in ("engagement_rate", "engagement"):
        raise Invalid(f"by: {by!r} is not one of engagement_rate, engagement", field="by")
    if not 1 <= limit <= 1000:
        raise Invalid("limit: must be between 1 and 1000", field="limit")
    criteria = filters.within(scope)
    ours = [post for post in _our_posts(store, criteria, scope, include_replies) if post[by] is not None]
    sign = -1 if order == "best" else 1
    ours.sort(key=lambda post: (sign * post[by], post["id"]))
    rows = []
    for rank, post in enumerate(ours[:limit], start=1):
        row = {name: post.get(name) for name in POST_COLUMNS}
        row.update(rank=rank, created_at=from_us(post["created_us"]).astimezone(criteria.zone))
        rows.append(row)
    meta = _meta(filters, scope, order=order, by=by, include_replies=include_replies)
    return AnalyticsResult(kind=f"content-{order}-posts", columns=list(POST_COLUMNS), rows=rows, meta=meta)
