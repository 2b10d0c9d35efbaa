"""Dashboard figures: volume, sentiment, share of voice (from the rollups) and top posts, hashtags,
links and domains (drill-downs over posts), each as JSON, CSV or Parquet (``format=``).

Every endpoint takes the same filters: ``from``/``to`` (ISO date or date-time; without an offset read
in ``tz``), ``interval``, ``tz`` (IANA), ``topic``, ``country``, ``lang``, ``source``, ``sentiment``
(repeated or comma-separated) and ``include_duplicates``. The caller's scope is met with them at the
service layer. A bad parameter answers 422 naming it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from veille.analytics.care import parse_moment
from veille.analytics.exports import FORMATS, export_bytes, media_type
from veille.analytics.filters import INTERVALS, AnalyticsFilter, zone_named
from veille.analytics.reader import GROUPS
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.analytics.sentiment import sentiment
from veille.analytics.top import MAX_LIMIT, top_domains, top_hashtags, top_links, top_posts
from veille.analytics.voice import share_of_voice
from veille.analytics.volume import volume
from veille.hub import Hub
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

Values = Annotated[list[str] | None, Query()]


def _values(raw: list[str] | None) -> list[str] | None:
    """Repeated parameters and comma-separated lists both work; absent means "no restriction"."""
    if raw is None:
        return None
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def _unprocessable(error: ValueError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error))


def analytics_filter(
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time, inclusive")],
    to: Annotated[str, Query(description="ISO date or date-time, exclusive")],
    interval: Annotated[str, Query(description=f"one of {', '.join(INTERVALS)}")] = "day",
    tz: Annotated[
        str, Query(description="IANA time zone of the buckets (and of from/to without offset)")
    ] = "UTC",
    topic: Values = None,
    country: Values = None,
    lang: Values = None,
    source: Values = None,
    sentiment: Values = None,
    include_duplicates: Annotated[bool, Query(description="count near-duplicates too")] = True,
) -> AnalyticsFilter:
    try:
        zone = zone_named(tz)
        return AnalyticsFilter.of(
            start=parse_moment("from", from_, zone),
            end=parse_moment("to", to, zone),
            interval=interval,
            tz=tz,
            topics=_values(topic),
            countries=_values(country),
            languages=_values(lang),
            sources=_values(source),
            sentiments=_values(sentiment),
            include_duplicates=include_duplicates,
        )
    except ValueError as error:
        raise _unprocessable(error) from None


Filters = Annotated[AnalyticsFilter, Depends(analytics_filter)]
Format = Annotated[str, Query(description=f"one of {', '.join(FORMATS)}")]
GroupBy = Annotated[str | None, Query(description=f"one of {', '.join(GROUPS)}")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def caller_scope(_principal: Any) -> Scope:
    """The caller's scope. Per-team scopes come later; today every caller may see everything."""
    return Scope()


async def _respond(
    hub: Hub, principal: Any, export_format: str, compute: Callable[[Scope], AnalyticsResult]
) -> Any:
    if export_format not in FORMATS:
        raise _unprocessable(ValueError(f"format: {export_format!r} is not one of {', '.join(FORMATS)}"))
    scope = caller_scope(principal)
    try:
        result = await asyncio.to_thread(compute, scope)
    except ValueError as error:
        raise _unprocessable(error) from None
    if export_format == "json":
        return result.to_json_dict()
    content = await asyncio.to_thread(export_bytes, result, export_format)
    filename = f"{result.kind}.{export_format}"
    return Response(
        content,
        media_type=media_type(export_format),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON by default; CSV or Parquet with format=csv|parquet"},
    422: {"description": "a parameter is wrong (the message names it)"},
}


@router.get("/volume", responses=_EXPORT_RESPONSES)
async def volume_series(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    group_by: GroupBy = None,
    format: Format = "json",
) -> Any:
    """Posts, engagement and reach per bucket (every bucket of the range), optionally per dimension."""
    return await _respond(
        hub,
        principal,
        format,
        lambda scope: volume(hub.store, filters=filters, scope=scope, group_by=group_by),
    )


@router.get("/sentiment", responses=_EXPORT_RESPONSES)
async def sentiment_series(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    group_by: GroupBy = None,
    format: Format = "json",
) -> Any:
    """Posts per sentiment label and net sentiment per bucket; ``breakdown`` over the whole range."""
    return await _respond(
        hub,
        principal,
        format,
        lambda scope: sentiment(hub.store, filters=filters, scope=scope, group_by=group_by),
    )


@router.get("/share-of-voice", responses=_EXPORT_RESPONSES)
async def share_of_voice_view(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    per_country: Annotated[bool, Query(description="shares within each country")] = False,
    format: Format = "json",
) -> Any:
    """Each listed topic's posts and engagement and their share of the listed topics' total."""
    return await _respond(
        hub,
        principal,
        format,
        lambda scope: share_of_voice(hub.store, filters=filters, scope=scope, per_country=per_country),
    )


@router.get("/top-posts", responses=_EXPORT_RESPONSES)
async def top_posts_view(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    by: Annotated[str, Query(description="engagement or reach")] = "engagement",
    limit: Limit = 10,
    format: Format = "json",
) -> Any:
    """The posts with the most engagement (likes + reposts + replies) or reach (author's followers)."""
    return await _respond(
        hub,
        principal,
        format,
        lambda scope: top_posts(hub.store, filters=filters, scope=scope, by=by, limit=limit),  # type: ignore[arg-type]
    )


def _top_items_route(path: str, compute: Callable[..., AnalyticsResult], summary: str) -> None:
    async def view(
        hub: CurrentHub,
        principal: CurrentPrincipal,
        filters: Filters,
        limit: Limit = 20,
        format: Format = "json",
    ) -> Any:
        return await _respond(
            hub,
            principal,
            format,
            lambda scope: compute(hub.store, filters=filters, scope=scope, limit=limit),
        )

    view.__doc__ = summary
    router.add_api_route(path, view, methods=["GET"], responses=_EXPORT_RESPONSES, name=path.strip("/"))


_top_items_route("/top-hashtags", top_hashtags, "Hashtags by the number of posts using them.")
_top_items_route("/top-links", top_links, "Links by the number of posts sharing them.")
_top_items_route("/top-domains", top_domains, "Link domains by the number of posts linking to them.")
