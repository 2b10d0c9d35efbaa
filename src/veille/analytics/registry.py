"""Every analysis the hub offers, as data: its name, what it computes, and its parameters.

The API (``GET /api/v1/analytics/{name}``) and the command line (``veille export {name}``) are
both built from :data:`ANALYSES`, so an analysis added here gets its route, its command, their
parameters and their help at once, and the two cannot drift apart (4CAT's processors work the
same way). Every analysis takes the common filters (:class:`~veille.analytics.filters.AnalyticsFilter`)
and the caller's :class:`~veille.analytics.scope.Scope`; ``params`` are its own options, in the
types a URL or a command line gives (seconds, not ``timedelta``).

The author page and the care report are not here: they answer other shapes than one
:class:`~veille.analytics.results.AnalyticsResult`.

This module imports no analytics code: ``run`` is a dotted path (or a function here that imports
what it needs), resolved on first use, so ``veille --help`` builds every export command without
loading the store or the analyses. ``choices`` are written out here; a test checks them against the
analyses' own tuples.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from veille.analytics.filters import AnalyticsFilter
    from veille.analytics.results import AnalyticsResult
    from veille.analytics.scope import Scope
    from veille.store.sql import SqlStore

__all__ = ["ANALYSES", "Analysis", "Param"]

_SAME = object()  # Param.cli_default: same as the API's default


@dataclass(frozen=True, slots=True)
class Param:
    """One option of an analysis: ``?name=`` in the API, ``--name`` on the command line."""

    name: str
    type: type[str] | type[int] | type[float] | type[bool]
    default: Any
    help: str
    choices: tuple[str, ...] | None = None  # listed in the help; the analysis checks the value
    optional: bool = False  # None (the default) is allowed: "no such option"
    ge: float | None = None
    le: float | None = None
    cli_default: Any = _SAME  # the command line's default, when it differs (kept from before)

    @property
    def description(self) -> str:
        return f"{self.help} (one of {', '.join(self.choices)})" if self.choices else self.help

    @property
    def command_line_default(self) -> Any:
        return self.default if self.cli_default is _SAME else self.cli_default


@dataclass(frozen=True, slots=True)
class Analysis:
    """``run(store, filters=, scope=, **params)`` → one result (JSON, CSV or Parquet alike)."""

    name: str
    title: str
    run: str | Callable[..., AnalyticsResult]  # "module:function", imported on first use
    params: tuple[Param, ...] = ()

    def runner(self) -> Callable[..., AnalyticsResult]:
        if not isinstance(self.run, str):
            return self.run
        module, _, function = self.run.partition(":")
        found: Callable[..., AnalyticsResult] = getattr(importlib.import_module(module), function)
        return found

    def compute(
        self,
        store: SqlStore,
        *,
        filters: AnalyticsFilter,
        scope: Scope,
        options: Mapping[str, Any] | None = None,
    ) -> AnalyticsResult:
        """The result for ``options`` (the analysis's own parameters; absent ones take their default).

        A filter naming an unknown topic, country, language or source is refused first
        (:mod:`veille.analytics.known`): it would match nothing and answer zeros without a word.
        """
        from veille.analytics.known import check_filter_values

        check_filter_values(store, filters, scope)
        given = options or {}
        values = {param.name: given.get(param.name, param.default) for param in self.params}
        return self.runner()(store, filters=filters, scope=scope, **values)


def _trends(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    window: int,
    **options: Any,
) -> AnalyticsResult:
    from veille.analytics.kept_rankings import TrendInputs, kept_trends
    from veille.analytics.trends import check_options

    # Kept results, recomputed in the background (veille.analytics.kept_rankings), not per request.
    inputs = TrendInputs(filters=filters, scope=scope, window_s=window, **options)
    check_options(
        filters,
        kind=inputs.kind,
        window=timedelta(seconds=window),
        baseline=inputs.baseline,
        limit=inputs.limit,
        min_count=inputs.min_count,
        min_growth=inputs.min_growth,
        min_score=inputs.min_score,
        examples=inputs.examples,
        max_posts=inputs.max_posts,
    )
    return kept_trends(store, inputs)


def _influencers(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    reach_weight: float,
    engagement_weight: float,
    authority_weight: float,
    **options: Any,
) -> AnalyticsResult:
    from veille.analytics.influence import Weights
    from veille.analytics.kept_rankings import RankingInputs, ranked_influencers

    weights = Weights(reach=reach_weight, engagement=engagement_weight, authority=authority_weight)
    # Kept rankings, computed in the background (veille.analytics.kept_rankings), not per request.
    inputs = RankingInputs(filters=filters, scope=scope, weights=weights, **options)
    return ranked_influencers(store, inputs)


def _content(
    store: SqlStore,
    *,
    filters: AnalyticsFilter,
    scope: Scope,
    group_by: str,
    order: str,
    by: str,
    limit: int,
    include_replies: bool,
) -> AnalyticsResult:
    from veille.analytics.content import content_performance, content_posts

    if group_by == "posts":
        return content_posts(
            store,
            filters=filters,
            scope=scope,
            order=order,  # type: ignore[arg-type]  # checked by content_posts()
            by=by,  # type: ignore[arg-type]
            limit=limit,
            include_replies=include_replies,
        )
    return content_performance(
        store, filters=filters, scope=scope, group_by=group_by, include_replies=include_replies
    )


# The analyses' own tuples, written out (see the module docstring): veille.analytics.reader.GROUPS,
# trends.KINDS, content.CONTENT_GROUPS, influencers.models.CATEGORIES, top.MAX_LIMIT.
GROUPS = ("topic", "country", "lang", "sentiment", "source")
TREND_KINDS = ("hashtags", "terms", "topics")
CONTENT_GROUPS = ("format", "topic", "hour", "account", "posts")
CATEGORIES = ("journalist", "blogger", "elected", "media", "brand", "other")
MAX_TOP_LIMIT = 1000

_GROUP_BY = Param("group_by", str, None, "a dimension", choices=GROUPS, optional=True)


def _top_limit(default: int, cli_default: Any = _SAME) -> Param:
    return Param("limit", int, default, "how many rows", ge=1, le=MAX_TOP_LIMIT, cli_default=cli_default)


_ANALYSES: tuple[Analysis, ...] = (
    Analysis(
        "volume",
        "Posts, engagement and reach per bucket (every bucket of the range), optionally per dimension.",
        "veille.analytics.volume:volume",
        (_GROUP_BY,),
    ),
    Analysis(
        "sentiment",
        "Posts per sentiment label and net sentiment per bucket; ``breakdown`` over the whole range.",
        "veille.analytics.sentiment:sentiment",
        (
            _GROUP_BY,
            Param("totals", bool, False, "one row per group over the whole range, no buckets (the map)"),
        ),
    ),
    Analysis(
        "share-of-voice",
        "Each listed topic's posts and engagement and their share of the listed topics' total.",
        "veille.analytics.voice:share_of_voice",
        (Param("per_country", bool, False, "shares within each country"),),
    ),
    Analysis(
        "top-posts",
        "The posts with the most engagement (likes + reposts + replies) or reach (author's followers).",
        "veille.analytics.top:top_posts",
        (
            Param("by", str, "engagement", "what ranks the posts", choices=("engagement", "reach")),
            _top_limit(10, cli_default=20),
        ),
    ),
    Analysis(
        "top-hashtags",
        "Hashtags by the number of posts using them.",
        "veille.analytics.top:top_hashtags",
        (_top_limit(20),),
    ),
    Analysis(
        "top-links",
        "Links by the number of posts sharing them.",
        "veille.analytics.top:top_links",
        (_top_limit(20),),
    ),
    Analysis(
        "top-domains",
        "Link domains by the number of posts linking to them.",
        "veille.analytics.top:top_domains",
        (_top_limit(20),),
    ),
    Analysis(
        "trends",
        "Hashtags, terms or topics bursting in the last ``window`` of ``[from, to)`` against their baseline.",
        _trends,
        (
            Param("kind", str, "hashtags", "what bursts", choices=TREND_KINDS),
            Param("window", int, 3600, "length of the last window, seconds", ge=60, le=28 * 86_400),
            Param(
                "baseline",
                str,
                "auto",
                "what the last window is compared with",
                choices=("auto", "seasonal", "trailing"),
            ),
            Param("limit", int, 20, "how many items", ge=1, le=1000),
            Param("min_count", int, 5, "posts an item needs in the last window", ge=1),
            Param("min_growth", float, 2.0, "last window over baseline, at least", ge=0),
            Param("min_score", float, 3.0, "significance (z-score), at least", ge=0),
        ),
    ),
    Analysis(
        "influencers",
        "Authors of the matching posts ranked by reach, engagement received and PageRank authority.",
        _influencers,
        (
            Param("category", str, None, "only this category", choices=CATEGORIES, optional=True),
            Param("limit", int, 50, "how many authors", ge=1, le=1000),
            Param("min_posts", int, 1, "posts an author needs in the range", ge=1),
            Param("include_brands", bool, False, "rank brand accounts too"),
            Param("reach_weight", float, 0.3, "weight of reach in the score", ge=0),
            Param("engagement_weight", float, 0.3, "weight of engagement in the score", ge=0),
            Param("authority_weight", float, 0.4, "weight of PageRank authority in the score", ge=0),
        ),
    ),
    Analysis(
        "content-performance",
        "Our accounts' posts: engagement and rate per format, topic, hour or account; or the best/worst posts.",
        _content,
        (
            Param(
                "group_by",
                str,
                "format",
                "a dimension, or posts for the best/worst posts",
                choices=CONTENT_GROUPS,
            ),
            Param("order", str, "best", "with group_by=posts", choices=("best", "worst")),
            Param(
                "by", str, "engagement_rate", "with group_by=posts", choices=("engagement_rate", "engagement")
            ),
            Param("limit", int, 10, "with group_by=posts: how many posts", ge=1, le=1000),
            Param("include_replies", bool, False, "count our replies too"),
        ),
    ),
)

ANALYSES: dict[str, Analysis] = {analysis.name: analysis for analysis in _ANALYSES}
