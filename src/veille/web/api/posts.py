"""Posts: search with a stable cursor, one post by id, the push ingest API, the post JSON Schema."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from veille.model import parse_rfc3339, post_json_schema
from veille.sources.push import PushBodyError, read_push_body, validate_push_items
from veille.store.base import MAX_PAGE, PostSearch
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["posts"])


def _timestamp(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name}: {error}") from None


def _values(raw: list[str] | None) -> list[str]:
    """Repeated parameters and comma-separated lists both work: ``?source=x&source=bluesky`` or ``x,bluesky``."""
    return [part.strip() for item in raw or [] for part in item.split(",") if part.strip()]


@router.get("/posts")
async def search_posts(
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    q: Annotated[str | None, Query(description='full text: words, "phrases", prefix*')] = None,
    since: Annotated[str | None, Query(description="RFC 3339, inclusive")] = None,
    until: Annotated[str | None, Query(description="RFC 3339, exclusive")] = None,
    source: Annotated[list[str] | None, Query()] = None,
    lang: Annotated[list[str] | None, Query()] = None,
    author: Annotated[list[str] | None, Query(description="handle, with or without @")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Posts newest first. ``next_cursor`` is null on the last page."""
    try:
        search = PostSearch(
            text=q or None,
            since=_timestamp("since", since),
            until=_timestamp("until", until),
            sources=_values(source),
            langs=_values(lang),
            authors=_values(author),
            limit=limit,
            cursor=cursor or None,
        )
        page = await asyncio.to_thread(hub.store.search_posts, search)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return {"items": [post.to_json_dict() for post in page.items], "next_cursor": page.next_cursor}


@router.get("/posts/{post_id:path}")
async def get_post(post_id: str, hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    post = await asyncio.to_thread(hub.store.get_post, post_id)
    if post is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no post with id {post_id!r}")
    return post.to_json_dict()


@router.post(
    "/posts",
    responses={
        200: {"description": "at least one item stored (or an empty body); errors lists refused items"},
        413: {"description": "body or batch too large"},
        422: {"description": "every item was refused"},
    },
)
async def push_posts(request: Request, hub: CurrentHub, _principal: CurrentPrincipal) -> JSONResponse:
    """Ingest posts: a JSON array, or NDJSON (one post per line). Valid items are stored whatever
    their neighbours; each refused item is reported with its index (0-based) and the field at fault."""
    settings = hub.settings
    try:
        body = await read_push_body(request.headers, request.stream(), max_bytes=settings.max_body_bytes)
        items = validate_push_items(
            body, content_type=request.headers.get("content-type", ""), max_items=settings.max_batch_items
        )
    except PushBodyError as error:
        raise HTTPException(error.status_code, str(error)) from None
    stored_ids: list[str] = []
    if items.accepted:
        stored = await hub.pipeline.submit(items.accepted, source_name="push")
        stored_ids = [item.post.id for item in stored]
    if items.rejected:
        hub.metrics.posts_rejected.labels(source="push").inc(len(items.rejected))
    payload = {
        "accepted": len(items.accepted),
        "rejected": len(items.rejected),
        "errors": [{"index": reject.index, "message": reject.message()} for reject in items.rejected],
        "stored_ids": stored_ids,
    }
    status_code = 422 if items.rejected and not items.accepted else 200
    return JSONResponse(payload, status_code=status_code)


@router.get("/schema/post")
async def post_schema(_principal: CurrentPrincipal) -> dict[str, Any]:
    """JSON Schema of the post accepted by the ingest API."""
    return post_json_schema()
