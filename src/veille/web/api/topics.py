"""Topics: CRUD, backfill jobs with progress, and trying a query on recent posts (``/query/test``).

Refused changes answer 422 with ``detail`` (the message), ``field`` and, for a query that does not
parse, ``column`` (1-based). Topic changes reach the live pipeline at once: the next stored post is
matched against them.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from veille.model import Post, parse_rfc3339
from veille.query import Query as ParsedQuery
from veille.query import QueryError, UnknownTopicError, parse_query
from veille.query.lint import lint_node
from veille.query.match import Tester, compile_tester, match, view_post
from veille.topics import KINDS, LiveTopics, TopicChanges, TopicError, TopicSpec, service
from veille.topics import repository as topic_repository
from veille.topics.service import TopicConflict, TopicNotFound, validation_message
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["topics"])

MAX_TEST_POSTS = 5000


def _refused(error: TopicError) -> JSONResponse:
    code = 404 if isinstance(error, TopicNotFound) else 409 if isinstance(error, TopicConflict) else 422
    body: dict[str, Any] = {"detail": str(error), "field": error.field}
    if error.column is not None:
        body["column"] = error.column
    return JSONResponse(body, status_code=code)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "body: not JSON") from None


# -- CRUD ----------------------------------------------------------------------------------------


@router.get("/topics")
async def list_topics(
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    kind: Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}")] = None,
) -> dict[str, Any]:
    """Every topic, by name (optionally one kind)."""
    if kind is not None and kind not in KINDS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"kind: must be one of {', '.join(KINDS)}")
    found = await asyncio.to_thread(service.list_topics, store=hub.store, kind=kind)
    return {"items": [topic.to_json_dict() for topic in found]}


@router.post(
    "/topics",
    status_code=201,
    responses={409: {"description": "the name is taken"}, 422: {"description": "refused; names the field"}},
)
async def create_topic(request: Request, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """Create a topic: ``{"name", "query", "kind", "parent", "label", "owner_team", "colour", "description", "enabled"}``."""
    body = await _json_body(request)
    try:
        spec = TopicSpec.model_validate(body)
    except ValidationError as error:
        return JSONResponse({"detail": validation_message(error), "field": _first_field(error)}, 422)
    try:
        topic = await asyncio.to_thread(service.create_topic, store=hub.store, spec=spec, live=hub.topics)
    except TopicError as error:
        return _refused(error)
    return JSONResponse(topic.to_json_dict(), status_code=201)


@router.get("/topics/{name}")
async def get_topic(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    try:
        topic = await asyncio.to_thread(service.get_topic, store=hub.store, name=name)
    except TopicError as error:
        return _refused(error)
    payload = topic.to_json_dict()
    payload["matches"] = await asyncio.to_thread(topic_repository.topic_match_count, hub.store, name)
    return JSONResponse(payload)


@router.patch("/topics/{name}")
async def update_topic(
    name: str, request: Request, hub: CurrentHub, _principal: CurrentPrincipal
) -> Response:
    """Change some fields (``null`` clears an optional one). The name cannot change."""
    body = await _json_body(request)
    try:
        changes = TopicChanges.model_validate(body)
    except ValidationError as error:
        return JSONResponse({"detail": validation_message(error), "field": _first_field(error)}, 422)
    try:
        topic = await asyncio.to_thread(
            service.update_topic, store=hub.store, name=name, changes=changes, live=hub.topics
        )
    except TopicError as error:
        return _refused(error)
    return JSONResponse(topic.to_json_dict())


@router.delete("/topics/{name}", status_code=204)
async def delete_topic(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """Delete a topic and its stored matches (refused while it has sub-topics or is referenced)."""
    try:
        await asyncio.to_thread(service.delete_topic, store=hub.store, name=name, live=hub.topics)
    except TopicError as error:
        return _refused(error)
    return Response(status_code=204)


def _first_field(error: ValidationError) -> str | None:
    errors = error.errors()
    return str(errors[0]["loc"][0]) if errors and errors[0]["loc"] else None


# -- backfill jobs -------------------------------------------------------------------------------


class BackfillRequest(BaseModel):
    since: str | None = Field(default=None, description="RFC 3339: only posts created from then on")
    batch_size: int = Field(default=500, ge=1, le=10_000)


@router.post("/topics/{name}/backfill", status_code=202)
async def start_backfill(
    name: str, hub: CurrentHub, _principal: CurrentPrincipal, options: BackfillRequest | None = None
) -> Response:
    """Run the topic over stored history in the background; poll ``GET /api/v1/jobs/{id}``."""
    options = options or BackfillRequest()
    try:
        since = parse_rfc3339(options.since) if options.since else None
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"since: {error}") from None
    try:
        topic = await asyncio.to_thread(service.get_topic, store=hub.store, name=name)
        if not topic.enabled:
            raise TopicError(f"topic {name!r} is disabled: enable it before a backfill", field="name")
        job = hub.jobs.start_backfill(store=hub.store, topic=name, since=since, batch_size=options.batch_size)
    except TopicError as error:
        return _refused(error)
    return JSONResponse(job.to_json_dict(), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"})


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """A background job: ``state`` (running, done, failed, stopped), ``done``/``total`` posts, ``fraction``."""
    job = hub.jobs.get(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id!r} (finished jobs are kept a while)")
    return job.to_json_dict()


# -- trying a query ------------------------------------------------------------------------------


class QueryTest(BaseModel):
    query: str = Field(min_length=1, max_length=4096)
    last: int = Field(default=200, ge=1, le=MAX_TEST_POSTS, description="how many of the latest stored posts")


@router.post("/query/test", responses={422: {"description": "the query does not parse; names the column"}})
async def test_query(body: QueryTest, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """What would this query catch? Its matches among the last N stored posts, with highlight spans
    (character offsets into the post text), newest first, and the linter's warnings."""
    try:
        parsed = parse_query(body.query)
    except QueryError as error:
        return JSONResponse({"detail": f"query: {error}", "field": "query", "column": error.column}, 422)
    posts = await asyncio.to_thread(topic_repository.latest_posts, hub.store, body.last)
    try:
        items = await asyncio.to_thread(_matches, hub.topics, parsed, posts)
    except UnknownTopicError as error:
        return JSONResponse({"detail": f"query: {error}", "field": "query", "column": error.column}, 422)
    warnings = [
        {"column": warning.column, "code": warning.code, "message": warning.message}
        for warning in lint_node(parsed.root)
    ]
    return JSONResponse({"scanned": len(posts), "matched": len(items), "items": items, "warnings": warnings})


def _matches(live: LiveTopics, parsed: ParsedQuery, posts: list[Post]) -> list[dict[str, Any]]:
    """The posts ``parsed`` matches, with spans. ``topic:`` references read the live topics, copied
    under the lock first (queries are immutable) so the pipeline is not held up while this runs."""
    saved: dict[str, ParsedQuery] = {}
    with live.lock:
        pending = list(parsed.topics)
        while pending:
            name = pending.pop()
            if name not in saved and name in live.monitor:
                saved[name] = live.monitor.query(name)
                pending.extend(saved[name].topics)
    missing = sorted(parsed.topics - saved.keys())
    if missing:
        raise UnknownTopicError(missing[0])
    testers: dict[str, Tester] = {}

    def topic_tester(name: str) -> Tester:
        if name not in testers:
            testers[name] = compile_tester(saved[name].root, topic_tester)
        return testers[name]

    tester = compile_tester(parsed.root, topic_tester)
    found: list[dict[str, Any]] = []
    for post in posts:
        view = view_post(post)
        if not tester(view):
            continue
        result = match(parsed, view, resolve_topic=saved.get)
        spans = [list(span) for span in result.spans] if result is not None else []
        found.append({"post": post.to_json_dict(), "spans": spans})
    return found
