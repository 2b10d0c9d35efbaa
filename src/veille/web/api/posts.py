"""Posts: search (query language, the dashboards' filters, highlights) with a stable cursor, the
streamed export of a search, one post by id, the push ingest API, the post JSON Schema."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from veille.analytics.known import check_countries, check_languages, check_sources, check_topics
from veille.analytics.mentions import MentionFilter, iter_mentions, search_mentions
from veille.analytics.post_rows import csv_lines, jsonl_lines
from veille.clock import parse_moment, parse_rfc3339, zone_named
from veille.errors import Invalid, NotFound
from veille.model import post_json_schema
from veille.sources.push import keep_writable, read_push_body, validate_push_items
from veille.store.base import MAX_PAGE
from veille.topics.evaluate import compile_query
from veille.web.api._params import CallerScope, Values, listed
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Store, Topics
from veille.web.schemas import ErrorRead, PostPage, PostRead, PushResult

__all__ = ["router"]

router = api_router(tags=["posts"])


def _timestamp(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as error:
        raise Invalid(f"{name}: {error}", field=name) from None


def _bound(names: tuple[str, str], values: tuple[str | None, str | None], zone: Any) -> datetime | None:
    """``since``/``from`` (or ``until``/``to``): one of the two spellings, not both."""
    (rfc_name, iso_name), (rfc_value, iso_value) = names, values
    if rfc_value is not None and iso_value is not None:
        raise Invalid(f"{iso_name}: give {iso_name} or {rfc_name}, not both", field=iso_name)
    if iso_value is not None:
        return parse_moment(iso_name, iso_value, zone)
    return _timestamp(rfc_name, rfc_value)


def _set(values: list[str] | None, case: str | None = None) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset(
        value.upper() if case == "upper" else value.lower() if case == "lower" else value for value in values
    )


def mention_filter(
    store: Store,
    scope: CallerScope,
    query: Annotated[
        str | None,
        Query(max_length=16_384, description="a query-language expression (docs/query-language.md)"),
    ] = None,
    q: Annotated[str | None, Query(description='full text: words, "phrases", prefix*')] = None,
    since: Annotated[str | None, Query(description="RFC 3339, inclusive")] = None,
    until: Annotated[str | None, Query(description="RFC 3339, exclusive")] = None,
    from_: Annotated[
        str | None, Query(alias="from", description="ISO date or date-time, inclusive (in tz without offset)")
    ] = None,
    to: Annotated[
        str | None, Query(description="ISO date or date-time, exclusive (in tz without offset)")
    ] = None,
    tz: Annotated[str, Query(description="IANA time zone of from/to without offset")] = "UTC",
    source: Values = None,
    lang: Values = None,
    topic: Values = None,
    country: Values = None,
    sentiment: Values = None,
    author: Annotated[list[str] | None, Query(description="handle, with or without @")] = None,
    include_duplicates: Annotated[bool, Query(description="near-duplicates too")] = True,
) -> MentionFilter:
    """The filters of a post search, with the analytics' meaning; unknown values are refused (422)."""
    zone = zone_named(tz)
    sources, langs, topics, countries = listed(source), listed(lang), listed(topic), listed(country)
    sentiments = listed(sentiment)
    # An unknown value is refused, not answered with nothing (as the analytics do).
    check_sources(store, sources)
    check_languages(langs)
    check_topics(store, topics, allowed=scope.topics)
    check_countries(countries)
    return MentionFilter(
        query=query if query and query.strip() else None,
        text=q or None,
        start=_bound(("since", "from"), (since, from_), zone),
        end=_bound(("until", "to"), (until, to), zone),
        topics=_set(topics),
        countries=_set(countries, "upper"),
        languages=_set(langs, "lower"),
        sources=_set(sources, "lower"),
        sentiments=_set(sentiments, "lower"),
        authors=tuple(listed(author) or ()),
        include_duplicates=include_duplicates,
    )


Mentions = Annotated[MentionFilter, Depends(mention_filter)]


@router.get("/posts", response_model=PostPage, responses={422: {"model": ErrorRead}})
def search_posts(
    store: Store,
    topics: Topics,
    scope: CallerScope,
    filters: Mentions,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Any:
    """Posts newest first, each with ``highlights`` (character spans of what matched).

    ``query`` is evaluated exactly on each post; a page holds up to ``limit`` matches but stops
    after examining 20,000 posts, so a rare query over a long range may answer fewer items with a
    ``next_cursor`` that resumes the scan. ``next_cursor`` is null on the last page.
    """
    page = search_mentions(
        store=store, live=topics, filters=filters, scope=scope, limit=limit, cursor=cursor or None
    )
    return {
        "items": [hit.to_json_dict() for hit in page.items],
        "next_cursor": page.next_cursor,
        "scanned": page.scanned,
    }


EXPORT_FORMATS = ("jsonl", "csv")


@router.get(
    "/posts/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "every matching post, newest first: JSON Lines or CSV, streamed",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        },
        422: {"model": ErrorRead},
    },
)
def export_posts(
    store: Store,
    topics: Topics,
    scope: CallerScope,
    filters: Mentions,
    format: Annotated[str, Query(description="jsonl or csv")] = "jsonl",
) -> StreamingResponse:
    """Every post the search finds (same parameters as ``GET /posts``), streamed as it is read."""
    if format not in EXPORT_FORMATS:
        raise Invalid(f"format: {format!r} is not one of {', '.join(EXPORT_FORMATS)}", field="format")
    # Compile now: a query that does not parse is a 422, not a broken download.
    if filters.query:
        compile_query(live=topics, text=filters.query)
    hits = iter_mentions(store=store, live=topics, filters=filters, scope=scope)
    lines = (
        jsonl_lines(hit.post for hit in hits) if format == "jsonl" else csv_lines(hit.post for hit in hits)
    )
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(
        lines, media_type=media, headers={"Content-Disposition": f'attachment; filename="posts.{format}"'}
    )


@router.get("/posts/{post_id:path}", response_model=PostRead, responses={404: {"model": ErrorRead}})
def get_post(post_id: str, store: Store, scope: CallerScope) -> Any:
    """One post, if it is in the caller's scope (outside it, it does not exist for them: 404)."""
    post = store.get_post(post_id)
    if post is None or not scope.allows_post(
        source=post.source, country=post.country, topics=(match.name for match in post.topics)
    ):
        raise NotFound(f"no post with id {post_id!r}", field="post_id")
    return post.to_json_dict()


_PUSH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "a JSON array of posts, or NDJSON (one post per line)",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/PostRead"}}
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/posts",
    response_model=PushResult,
    openapi_extra=_PUSH_BODY,
    responses={
        200: {"description": "at least one item stored (or an empty body); errors lists refused items"},
        400: {"model": ErrorRead, "description": "the body is not a JSON array / NDJSON, or not UTF-8"},
        413: {"model": ErrorRead, "description": "body or batch too large"},
        422: {"model": PushResult, "description": "every item was refused"},
        503: {"model": ErrorRead, "description": "the store could not write the batch: send it again"},
    },
)
async def push_posts(request: Request, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """Ingest posts: a JSON array, or NDJSON (one post per line). Valid items are stored whatever
    their neighbours; each refused item is reported with its index (0-based) and the field at fault.

    A caller writes only the sources it may (``push`` unless an admin granted a token more): an
    item of another source, or with the id of a stored post of another source (a connector's),
    is refused with the source named."""
    settings = hub.settings
    body = await read_push_body(request.headers, request.stream(), max_bytes=settings.max_body_bytes)
    # Validating a large batch is CPU work: off the event loop, which also feeds every live screen.
    items = await asyncio.to_thread(
        validate_push_items,
        body,
        content_type=request.headers.get("content-type", ""),
        max_items=settings.max_batch_items,
    )
    if items.accepted:
        items = await asyncio.to_thread(
            keep_writable,
            items,
            may_write=principal.may_push,
            allowed=principal.push_sources,
            stored_sources=hub.store.sources_of,
        )
    stored_ids: list[str] = []
    if items.accepted:
        # Stored by this hub, or (NATS bus) acknowledged by the JetStream work stream.
        stored_ids = await hub.accept_posts(items.accepted, source_name="push")
    if items.rejected:
        hub.metrics.posts_rejected.labels(source="push").inc(len(items.rejected))
    payload = {
        "accepted": len(items.accepted),
        "rejected": len(items.rejected),
        "errors": [{"index": reject.index, "message": reject.message()} for reject in items.rejected],
        "stored_ids": stored_ids,
    }
    if items.rejected and not items.accepted:
        return JSONResponse(payload, status_code=422)
    return payload


@router.get("/schema/post", response_model=dict[str, Any])
def post_schema() -> Any:
    """JSON Schema of the post accepted by the ingest API."""
    return post_json_schema()
