"""Posts: search with a stable cursor, one post by id, the push ingest API, the post JSON Schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from veille.analytics.known import check_languages, check_sources
from veille.clock import parse_rfc3339
from veille.errors import Invalid, NotFound
from veille.model import post_json_schema
from veille.sources.push import read_push_body, validate_push_items
from veille.store.base import MAX_PAGE, PostSearch
from veille.web.api._params import Values, listed
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, Store
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


@router.get("/posts", response_model=PostPage, responses={422: {"model": ErrorRead}})
def search_posts(
    store: Store,
    q: Annotated[str | None, Query(description='full text: words, "phrases", prefix*')] = None,
    since: Annotated[str | None, Query(description="RFC 3339, inclusive")] = None,
    until: Annotated[str | None, Query(description="RFC 3339, exclusive")] = None,
    source: Values = None,
    lang: Values = None,
    author: Annotated[list[str] | None, Query(description="handle, with or without @")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Any:
    """Posts newest first. ``next_cursor`` is null on the last page."""
    sources, langs = listed(source), listed(lang)
    check_sources(store, sources)  # an unknown value is refused, not answered with nothing
    check_languages(langs)
    search = PostSearch(
        text=q or None,
        since=_timestamp("since", since),
        until=_timestamp("until", until),
        sources=sources or [],
        langs=langs or [],
        authors=listed(author) or [],
        limit=limit,
        cursor=cursor or None,
    )
    page = store.search_posts(search)
    return {"items": [post.to_json_dict() for post in page.items], "next_cursor": page.next_cursor}


@router.get("/posts/{post_id:path}", response_model=PostRead, responses={404: {"model": ErrorRead}})
def get_post(post_id: str, store: Store) -> Any:
    post = store.get_post(post_id)
    if post is None:
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
    },
)
async def push_posts(request: Request, hub: CurrentHub) -> Any:
    """Ingest posts: a JSON array, or NDJSON (one post per line). Valid items are stored whatever
    their neighbours; each refused item is reported with its index (0-based) and the field at fault."""
    settings = hub.settings
    body = await read_push_body(request.headers, request.stream(), max_bytes=settings.max_body_bytes)
    items = validate_push_items(
        body, content_type=request.headers.get("content-type", ""), max_items=settings.max_batch_items
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
