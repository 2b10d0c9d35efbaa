"""Share of voice of a set of topics (brands and competitors), overall and per country, from the rollups.

A topic's share is its posts divided by the posts of all the listed topics together (a post naming
two brands counts for each: the usual share-of-voice convention), within each country when per
country. Every requested topic (inside the scope) has a row, with 0 when nobody spoke of it.
"""

from __future__ import annotations

from typing import Any, Literal

from veille.analytics.filters import AnalyticsFilter
from veille.analytics.reader import read_measures
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.analytics.volume import group_order
from veille.errors import Invalid
from veille.store.sql import SqlStore

__all__ = ["share_of_voice"]


def share_of_voice(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    per_country: bool = False,
    source: Literal["rollups", "posts"] = "rollups",
) -> AnalyticsResult:
    """Posts, engagement and their shares per topic of ``filters.topics`` (required)."""
    if not filters.topics:
        raise Invalid(
            "topic: share of voice needs the topics to compare (brands, competitors)", field="topic"
        )
    criteria = filters.within(scope)
    topics = sorted(criteria.topics or ())
    group_by = ("country", "topic") if per_country else ("topic",)
    totals = read_measures(store, criteria, group_by=group_by, bucketed=False, source=source)
    countries = [group[0] for group in group_order({(None, group[:1]): [] for _, group in totals})]
    rows: list[dict[str, Any]] = []
    for country in countries if per_country else [None]:
        prefix = (country,) if per_country else ()
        posts = {topic: totals.get((None, (*prefix, topic)), [0])[0] for topic in topics}
        engagement = {topic: sum(totals.get((None, (*prefix, topic)), [0, 0, 0, 0])[1:4]) for topic in topics}
        all_posts, all_engagement = sum(posts.values()), sum(engagement.values())
        for topic in topics:
            row: dict[str, Any] = {"country": country} if per_country else {}
            row.update(
                topic=topic,
                posts=posts[topic],
                share=posts[topic] / all_posts if all_posts else None,
                engagement=engagement[topic],
                engagement_share=engagement[topic] / all_engagement if all_engagement else None,
            )
            rows.append(row)
    meta = {"filters": filters.to_json_dict(), "scope": scope.to_json_dict(), "per_country": per_country}
    columns = [
        *(["country"] if per_country else []),
        "topic",
        "posts",
        "share",
        "engagement",
        "engagement_share",
    ]
    return AnalyticsResult(kind="share-of-voice", columns=columns, rows=rows, meta=meta)
