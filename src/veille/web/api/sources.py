"""Platform sources: list with health and alerts, connector metadata, add/remove/stop/start live,
and each source's dead letters (items that could not become posts).

Secrets never leave the hub: configs are returned masked (``'***'``).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from veille.hub import Hub
from veille.sources.connectors import describe_connectors
from veille.sources.manager import (
    SourceConfigError,
    SourceConflictError,
    SourceManager,
    SourceNotFoundError,
)
from veille.web.deps import CurrentHub, CurrentPrincipal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["sources"])

# Keys every [[sources]] table may hold besides the connector's own fields (for UI forms).
_COMMON_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "type": "str", "required": True, "help": "unique: lower-case letters, digits, . _ -"},
    {
        "name": "endpoint",
        "type": "str",
        "required": False,
        "help": "base URL (self-hosted instance, test server)",
    },
    {"name": "query", "type": "str", "required": False, "help": "query language: keep only matching posts"},
    {"name": "enabled", "type": "bool", "required": False, "help": "start with the hub (default true)"},
    {"name": "silent_after_s", "type": "float", "required": False, "help": "alert after this much silence"},
]


def _manager(hub: Hub) -> SourceManager:
    if hub.source_manager is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "this hub runs no platform sources")
    return hub.source_manager


@router.get("/connectors")
async def list_connectors(_principal: CurrentPrincipal) -> dict[str, Any]:
    """Every connector type with its typed config fields (secrets flagged), for forms and docs."""
    return {"common_fields": _COMMON_FIELDS, "items": describe_connectors()}


@router.get("/sources")
async def list_sources(hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """Sources with masked config, health (connected, lag, last error, posts/min, counters) and
    the alerts of the moment (failed, silent, no filter)."""
    manager = _manager(hub)
    failed = await asyncio.to_thread(manager.failed_counts)
    now = manager.clock.time()
    return {"items": manager.describe_all(now, failed=failed), "alerts": manager.alerts(now)}


@router.get("/sources/{name}")
async def get_source(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    manager = _manager(hub)
    failed = await asyncio.to_thread(manager.failed_counts)
    for item in manager.describe_all(failed=failed):
        if item["name"] == name:
            return item
    raise HTTPException(status.HTTP_404_NOT_FOUND, str(SourceNotFoundError(name)))


class DeadLetterItem(BaseModel):
    """A platform item the source could not turn into a post, as received."""

    id: int
    reason: str = Field(description="why no post could be made of it, naming the field")
    payload: Any = Field(description="the item as the platform sent it")
    first_failed_at: float = Field(description="epoch seconds of the first refusal")
    last_attempt_at: float = Field(description="epoch seconds of the last mapping attempt")
    attempts: int


class DeadLetterPage(BaseModel):
    source: str
    total: int = Field(description="dead letters of the source")
    items: list[DeadLetterItem]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


@router.get("/sources/{name}/failed", response_model=DeadLetterPage)
async def list_failed(
    name: str,
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[int, Query(ge=0, description="id of the last item of the previous page")] = 0,
) -> DeadLetterPage:
    """Items the source read but could not turn into posts (dead letters), oldest first.

    `veille sources replay-failed NAME` maps them again with the current connector code."""
    manager = _manager(hub)
    total, letters = await asyncio.to_thread(manager.failed_items, name, limit=limit, after_id=after)
    if not total and not manager.knows(name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(SourceNotFoundError(name)))
    items = [DeadLetterItem(**letter.to_json_dict()) for letter in letters]
    more = len(letters) == limit and letters[-1].id
    return DeadLetterPage(source=name, total=total, items=items, next_after=more or None)


@router.post(
    "/sources",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "name already used"}, 422: {"description": "bad table"}},
)
async def add_source(
    hub: CurrentHub,
    _principal: CurrentPrincipal,
    table: Annotated[
        dict[str, Any],
        Body(
            examples=[{"type": "bluesky", "name": "bluesky-live", "keywords": ["livebox"]}],
            description="one [[sources]] table as JSON",
        ),
    ],
) -> dict[str, Any]:
    """Add a source and start it now; it is kept in the store and comes back after a restart."""
    manager = _manager(hub)
    try:
        managed = await manager.add(table)
    except SourceConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    except SourceConfigError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return manager.describe(managed)


@router.delete("/sources/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_source(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> Response:
    """Stop a source added through the API and forget it (a veille.toml source: 409, stop it instead)."""
    manager = _manager(hub)
    try:
        await manager.remove(name)
    except SourceNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except SourceConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sources/{name}/stop")
async def stop_source(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """Stop reading (the checkpoint is kept: start resumes where it stopped)."""
    manager = _manager(hub)
    try:
        return manager.describe(await manager.stop_source(name))
    except SourceNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


@router.post("/sources/{name}/start")
async def start_source(name: str, hub: CurrentHub, _principal: CurrentPrincipal) -> dict[str, Any]:
    """Start (or restart after a failure) from the last stored checkpoint."""
    manager = _manager(hub)
    try:
        return manager.describe(await manager.start_source(name))
    except SourceNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except SourceConfigError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
