"""Topics: CRUD, backfill jobs with progress, and trying a query on recent posts (``/query/test``).

Refused changes answer 422 with ``detail`` (the message), ``field`` and, for a query that does not
parse, ``column`` (1-based). Topic changes reach the live pipeline at once: the next stored post is
matched against them.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import from_thread
from fastapi import Query, Response
from pydantic import BaseModel, Field

from veille.clock import parse_rfc3339
from veille.errors import Invalid
from veille.topics import KINDS, TopicChanges, TopicError, TopicSpec, service
from veille.topics import repository as topic_repository
from veille.topics.models import TopicDetail, TopicRead
from veille.topics.trial import try_query
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, CurrentTopic, Jobs, Store, Topics
from veille.web.schemas import ErrorRead, Items, JobRead, QueryTrialRead

__all__ = ["router"]

router = api_router(tags=["topics"])

MAX_TEST_POSTS = 5000
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no such topic"},
    409: {"model": ErrorRead, "description": "the name is taken, or other topics depend on it"},
    422: {"model": ErrorRead, "description": "refused; names the field (and the column of a query)"},
}


# -- CRUD ----------------------------------------------------------------------------------------


@router.get("/topics", response_model=Items[TopicRead])
def list_topics(
    store: Store,
    principal: CurrentPrincipal,
    kind: Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}")] = None,
) -> Any:
    """Every topic the caller may see, by name (optionally one kind)."""
    if kind is not None and kind not in KINDS:
        raise Invalid(f"kind: must be one of {', '.join(KINDS)}", field="kind")
    found = service.list_topics(store=store, kind=kind, viewer=principal)
    return {"items": [topic.to_json_dict() for topic in found]}


@router.post("/topics", status_code=201, response_model=TopicRead, responses=_REFUSED)
def create_topic(
    spec: TopicSpec, store: Store, topics: Topics, principal: CurrentPrincipal, hub: CurrentHub
) -> Any:
    """Create a topic: ``{"name", "query", "kind", "parent", "label", "owner_team", "visibility", "colour", "description", "enabled"}``.

    ``owner_team`` defaults to the caller's first team; an analyst may give only one of their teams."""
    created = service.create_topic(store=store, spec=spec, live=topics, by=principal).to_json_dict()
    _announce(hub, spec.name)
    return created


@router.get("/topics/{name}", response_model=TopicDetail, responses=_REFUSED)
def get_topic(topic: CurrentTopic, store: Store) -> Any:
    """A topic and how many stored posts it matches (``matches``)."""
    return {**topic.to_json_dict(), "matches": topic_repository.topic_match_count(store, topic.name)}


@router.patch("/topics/{name}", response_model=TopicRead, responses=_REFUSED)
def update_topic(
    name: str,
    changes: TopicChanges,
    store: Store,
    topics: Topics,
    principal: CurrentPrincipal,
    hub: CurrentHub,
) -> Any:
    """Change some fields (``null`` clears an optional one). The name cannot change; an analyst
    changes only the topics their teams own (403 naming the owner team otherwise)."""
    updated = service.update_topic(store=store, name=name, changes=changes, live=topics, by=principal)
    _announce(hub, name)
    return updated.to_json_dict()


@router.delete("/topics/{name}", status_code=204, response_class=Response, responses=_REFUSED)
def delete_topic(
    name: str, store: Store, topics: Topics, principal: CurrentPrincipal, hub: CurrentHub
) -> Response:
    """Delete a topic and its stored matches (refused while it has sub-topics or is referenced)."""
    service.delete_topic(store=store, name=name, live=topics, by=principal)
    _announce(hub, name)
    return Response(status_code=204)


def _announce(hub: Any, name: str) -> None:
    """The other processes of the hub rebuild their topics now (a config.changed notice; from
    this route's worker thread, on the event loop)."""
    from_thread.run(hub.announce, "topic", name)


# -- backfill jobs -------------------------------------------------------------------------------


class BackfillRequest(BaseModel):
    since: str | None = Field(default=None, description="RFC 3339: only posts created from then on")
    batch_size: int = Field(default=500, ge=1, le=10_000)


@router.post("/topics/{name}/backfill", status_code=202, response_model=JobRead, responses=_REFUSED)
async def start_backfill(
    topic: CurrentTopic, store: Store, jobs: Jobs, response: Response, options: BackfillRequest | None = None
) -> Any:
    """Run the topic over stored history in the background; poll ``GET /api/v1/jobs/{id}``."""
    # async: jobs start on the event loop (the topic was loaded in a worker thread).
    options = options or BackfillRequest()
    try:
        since = parse_rfc3339(options.since) if options.since else None
    except ValueError as error:
        raise Invalid(f"since: {error}", field="since") from None
    if not topic.enabled:
        raise TopicError(f"topic {topic.name!r} is disabled: enable it before a backfill", field="name")
    job = jobs.start_backfill(store=store, topic=topic.name, since=since, batch_size=options.batch_size)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job.to_json_dict()


# -- trying a query ------------------------------------------------------------------------------


class QueryTest(BaseModel):
    query: str = Field(min_length=1, max_length=4096)
    last: int = Field(default=200, ge=1, le=MAX_TEST_POSTS, description="how many of the latest stored posts")


@router.post(
    "/query/test",
    response_model=QueryTrialRead,
    responses={422: {"model": ErrorRead, "description": "the query does not parse; names the column"}},
)
def test_query(body: QueryTest, store: Store, topics: Topics) -> Any:
    """What would this query catch? Its matches among the last N stored posts, with highlight spans
    (character offsets into the post text), newest first, and the linter's warnings."""
    return try_query(store=store, live=topics, text=body.query, last=body.last).to_json_dict()
