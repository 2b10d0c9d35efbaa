"""The analytics figures the editorial radar and briefs read, inside the caller's scope.

It has the members of ``veille.editorial.ports.Analytics`` without importing it: ``editorial`` and
``analytics`` share a row of the layer contract, so the web layer and the benchmarks, above both,
hand this object to the editorial functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from veille.analytics.content import content_performance, content_posts, engagement_rate, post_format
from veille.analytics.filters import AnalyticsFilter
from veille.analytics.influence import influencers
from veille.analytics.scope import Scope
from veille.analytics.trends import item_terms
from veille.store.sql import SqlStore

__all__ = ["AnalyticsFigures"]


@dataclass(frozen=True, slots=True)
class AnalyticsFigures:
    store: SqlStore
    scope: Scope

    def terms(self, text: str, lang: str | None) -> set[str]:
        return item_terms(text, lang)

    def influencers(self, *, topic: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        filters = AnalyticsFilter.of(start=start, end=end, topics=[topic])
        return [
            dict(row) for row in influencers(self.store, filters=filters, scope=self.scope, limit=100).rows
        ]

    def performance(
        self, *, topic: str, start: datetime, end: datetime, tz: str, group_by: str
    ) -> list[dict[str, Any]]:
        filters = AnalyticsFilter.of(start=start, end=end, topics=[topic], tz=tz)
        result = content_performance(self.store, filters=filters, scope=self.scope, group_by=group_by)
        return [dict(row) for row in result.rows]

    def our_posts(self, *, topic: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        filters = AnalyticsFilter.of(start=start, end=end, topics=[topic])
        result = content_posts(self.store, filters=filters, scope=self.scope, by="engagement", limit=1000)
        return [dict(row) for row in result.rows]

    def post_format(self, doc: Mapping[str, Any]) -> str:
        return post_format(doc)

    def engagement_rate(self, engagement: int, views: int | None, followers: int | None) -> float | None:
        return engagement_rate(engagement, views, followers)
