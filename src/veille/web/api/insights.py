"""Insights: trends, influencers, author pages, content performance, and the curated influencer list.

The analytics endpoints take the filters of :mod:`veille.web.api.analytics` (``from``, ``to``,
``interval``, ``tz``, ``topic``, ``country``, ``lang``, ``source``, ``sentiment``,
``include_duplicates``) and ``format=json|csv|parquet``. A bad parameter answers 422 naming it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response

from veille.analytics import curated
from veille.analytics.content import CONTENT_GROUPS, content_performance, content_posts
from veille.analytics.exports import FORMATS, export_bytes, media_type
from veille.analytics.influence import AuthorNotFound, Weights, author_page, influencers
from veille.analytics.results import AnalyticsResult
from veille.analytics.scope import Scope
from veille.analytics.trends import KINDS, trends
from veille.web.api.analytics import Filters, caller_scope
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["insights"])

Format = Annotated[str, Query(description=f"one of {', '.join(FORMATS)}")]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON by default; CSV or Parquet with format=csv|parquet"},
    422: {"description": "a parameter is wrong (the message names it)"},
}


def _unprocessable(error: ValueError) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error))


def _export(result: AnalyticsResult, export_format: str, as_json: Callable[[], Any] | None = None) -> Any:
    if export_format == "json":
        return as_json() if as_json is not None else result.to_json_dict()
    return Response(
        export_bytes(result, export_format),
        media_type=media_type(export_format),
        headers={"Content-Disposition": f'attachment; filename="{result.kind}.{export_format}"'},
    )


async def _respond(principal: Any, export_format: str, compute: Callable[[Scope], AnalyticsResult]) -> Any:
    if export_format not in FORMATS:
        raise _unprocessable(ValueError(f"format: {export_format!r} is not one of {', '.join(FORMATS)}"))
    scope = caller_scope(principal)
    try:
        result = await asyncio.to_thread(compute, scope)
        return await asyncio.to_thread(_export, result, export_format)
    except ValueError as error:
        raise _unprocessable(error) from None


@router.get("/analytics/trends", responses=_RESPONSES)
async def trends_view(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    kind: Annotated[str, Query(description=f"one of {', '.join(KINDS)}")] = "hashtags",
    window: Annotated[
        int, Query(ge=60, le=28 * 86_400, description="length of the last window, seconds")
    ] = 3600,
    baseline: Annotated[str, Query(description="auto, seasonal or trailing")] = "auto",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    min_count: Annotated[int, Query(ge=1)] = 5,
    min_growth: Annotated[float, Query(ge=0)] = 2.0,
    min_score: Annotated[float, Query(ge=0)] = 3.0,
    format: Format = "json",
) -> Any:
    """Hashtags, terms or topics bursting in the last ``window`` of ``[from, to)`` against their baseline."""
    return await _respond(
        principal,
        format,
        lambda scope: trends(
            hub.store,
            filters=filters,
            scope=scope,
            kind=kind,
            window=timedelta(seconds=window),
            baseline=baseline,  # type: ignore[arg-type]  # checked by trends()
            limit=limit,
            min_count=min_count,
            min_growth=min_growth,
            min_score=min_score,
        ),
    )


@router.get("/analytics/influencers", responses=_RESPONSES)
async def influencers_view(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    category: Annotated[str | None, Query(description=", ".join(curated.CATEGORIES))] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    min_posts: Annotated[int, Query(ge=1)] = 1,
    include_brands: bool = False,
    reach_weight: Annotated[float, Query(ge=0)] = 0.3,
    engagement_weight: Annotated[float, Query(ge=0)] = 0.3,
    authority_weight: Annotated[float, Query(ge=0)] = 0.4,
    format: Format = "json",
) -> Any:
    """Authors of the matching posts ranked by reach, engagement received and PageRank authority."""

    def compute(scope: Scope) -> AnalyticsResult:
        weights = Weights(reach=reach_weight, engagement=engagement_weight, authority=authority_weight)
        return influencers(
            hub.store,
            filters=filters,
            scope=scope,
            category=category,
            limit=limit,
            min_posts=min_posts,
            include_brands=include_brands,
            weights=weights,
        )

    return await _respond(principal, format, compute)


@router.get("/analytics/authors/{handle}", responses={**_RESPONSES, 404: {"description": "no such author"}})
async def author_view(
    handle: str,
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    platform: Annotated[str | None, Query(description="the author's platform (x, bluesky…)")] = None,
    posts_limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    part: Annotated[str, Query(description="for csv/parquet: posts, topics or series")] = "posts",
    format: Format = "json",
) -> Any:
    """An author's profile, category, totals, topics, activity series and latest posts."""
    if format not in FORMATS:
        raise _unprocessable(ValueError(f"format: {format!r} is not one of {', '.join(FORMATS)}"))
    scope = caller_scope(principal)
    try:
        page = await asyncio.to_thread(
            author_page,
            hub.store,
            handle=handle,
            source=platform,
            filters=filters,
            scope=scope,
            posts_limit=posts_limit,
        )
        return await asyncio.to_thread(_export, page.part(part), format, page.to_json_dict)
    except AuthorNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except ValueError as error:
        raise _unprocessable(error) from None


@router.get("/analytics/content-performance", responses=_RESPONSES)
async def content_view(
    hub: CurrentHub,
    principal: CurrentPrincipal,
    filters: Filters,
    group_by: Annotated[str, Query(description=f"one of {', '.join(CONTENT_GROUPS)}; or posts")] = "format",
    order: Annotated[str, Query(description="with group_by=posts: best or worst")] = "best",
    by: Annotated[
        str, Query(description="with group_by=posts: engagement_rate or engagement")
    ] = "engagement_rate",
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    include_replies: bool = False,
    format: Format = "json",
) -> Any:
    """Our accounts' posts: engagement and rate per format, topic, hour or account; or the best/worst posts."""

    def compute(scope: Scope) -> AnalyticsResult:
        if group_by == "posts":
            return content_posts(
                hub.store,
                filters=filters,
                scope=scope,
                order=order,  # type: ignore[arg-type]  # checked by content_posts()
                by=by,  # type: ignore[arg-type]
                limit=limit,
                include_replies=include_replies,
            )
        return content_performance(
            hub.store, filters=filters, scope=scope, group_by=group_by, include_replies=include_replies
        )

    return await _respond(principal, format, compute)


# -- the curated list ------------------------------------------------------------------------------


def _refused(error: curated.InfluencerError) -> JSONResponse:
    code = (
        404
        if isinstance(error, curated.InfluencerNotFound)
        else 409
        if isinstance(error, curated.InfluencerConflict)
        else 422
    )
    return JSONResponse({"detail": str(error), "field": error.field}, status_code=code)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "body: not JSON") from None


@router.get("/influencers/curated")
async def list_curated(
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    category: str | None = None,
    country: str | None = None,
) -> dict[str, Any]:
    """The curated list, by platform and handle (optionally one category and/or country)."""
    found = await asyncio.to_thread(
        curated.list_influencers, store=hub.store, category=category, country=country
    )
    return {"items": [item.to_json_dict() for item in found]}


@router.post("/influencers/curated", status_code=201, responses={409: {"description": "already listed"}})
async def create_curated(request: Request, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """Add ``{"platform", "handle", "category", "country"?, "name"?}``."""
    body = await _json_body(request)
    try:
        spec = curated.spec_from_json(body)
        item = await asyncio.to_thread(curated.create_influencer, store=hub.store, spec=spec)
    except curated.InfluencerError as error:
        return _refused(error)
    return JSONResponse(item.to_json_dict(), status_code=201)


@router.get("/influencers/curated/{influencer_id}")
async def get_curated(influencer_id: int, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    try:
        item = await asyncio.to_thread(curated.get_influencer, store=hub.store, influencer_id=influencer_id)
    except curated.InfluencerError as error:
        return _refused(error)
    return JSONResponse(item.to_json_dict())


@router.put("/influencers/curated/{influencer_id}")
async def update_curated(
    influencer_id: int, request: Request, hub: CurrentHub, _principal: CurrentPrincipal
) -> Response:
    """Replace an entry (same body as creation)."""
    body = await _json_body(request)
    try:
        spec = curated.spec_from_json(body)
        item = await asyncio.to_thread(
            curated.update_influencer, store=hub.store, influencer_id=influencer_id, spec=spec
        )
    except curated.InfluencerError as error:
        return _refused(error)
    return JSONResponse(item.to_json_dict())


@router.delete("/influencers/curated/{influencer_id}", status_code=204)
async def delete_curated(influencer_id: int, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    try:
        await asyncio.to_thread(curated.delete_influencer, store=hub.store, influencer_id=influencer_id)
    except curated.InfluencerError as error:
        return _refused(error)
    return Response(status_code=204)
