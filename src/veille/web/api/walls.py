"""Walls (``/api/v1/walls``): CRUD, versions, the scene the screens show, their posts and live
stream, moderation and kiosk links.

Bodies are :class:`~veille.walls.WallSpec`: an unknown widget type, a widget off the canvas, an
unknown topic answer 422 naming the field (``scenes.0.widgets.2.w``); an unknown id 404. The
scene is the server's to decide (``GET /state``, ``POST /scene``); screens follow its stream.
A kiosk link's token may read ``GET /walls/{id}``, ``/state``, ``/posts`` and ``/stream`` of its
own wall (:mod:`veille.web.kiosk`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from veille.clock import now_us, rfc3339_from_us
from veille.errors import Invalid
from veille.walls import Wall, WallSpec, service
from veille.web.api._params import scope_of
from veille.web.api._routing import api_router
from veille.web.api.stream import LiveStreamResponse, principal_key
from veille.web.deps import CurrentHub, CurrentPrincipal, Store
from veille.web.kiosk import KIOSK_VIA, kiosk_token
from veille.web.schemas import ErrorRead, Items
from veille.web.wall_stream import nudge, open_screen, state_json

__all__ = ["router"]

router = api_router(tags=["walls"])

WallId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the wall's id")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no wall with that id"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


class SceneChange(BaseModel):
    """``{"scene": k}`` jumps to scene k (0-based) now; ``{"hold": true}`` stays, ``false`` resumes."""

    model_config = ConfigDict(extra="forbid")

    scene: int | None = Field(default=None, ge=0)
    hold: bool | None = None


class ModerationAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "hide", "pin"]


class WallVersionRead(BaseModel):
    version: int
    saved_by: str
    saved_at: datetime
    wall: dict[str, Any]


class SceneStateRead(BaseModel):
    """The scene every screen shows (0-based), since when, when the next starts (null: held)."""

    scene: int
    since: str
    next_at: str | None
    hold: bool
    now: str | None = None


class ModerationItemRead(BaseModel):
    post: dict[str, Any]
    status: str | None
    reason: str | None
    shown: bool


class DecisionRead(BaseModel):
    post_id: str
    status: str
    decided_by: str
    decided_at: datetime


class LinkCreated(BaseModel):
    token: str
    url: str


class LinkRead(BaseModel):
    id: int
    hint: str
    created_by: str
    created_at: datetime


@router.get("/walls", response_model=Items[Wall])
def list_walls(store: Store, principal: CurrentPrincipal) -> Any:
    """Every wall the caller may see (its visibility), by name."""
    return {"items": service.list_walls(store=store, viewer=principal)}


@router.post("/walls", status_code=201, response_model=Wall, responses=_REFUSED)
def create_wall(spec: WallSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "screens": {"columns", "rows"}, "filters", "moderation", "scenes": [...]}``."""
    owner = principal.username or principal.name
    return service.create_wall(store=store, spec=spec, owner=owner, principal=principal)


@router.get("/walls/{wall_id}", response_model=Wall, responses=_REFUSED)
def get_wall(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Any:
    return service.get_wall(store=store, wall_id=wall_id, viewer=principal)


@router.put("/walls/{wall_id}", response_model=Wall, responses=_REFUSED)
def replace_wall(wall_id: WallId, spec: WallSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Replace a wall (a new version); open screens follow within a second."""
    updated = service.update_wall(
        store=store, wall_id=wall_id, spec=spec, by=principal.username or principal.name, principal=principal
    )
    nudge(wall_id)
    return updated


@router.delete("/walls/{wall_id}", status_code=204, responses=_REFUSED)
def delete_wall(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Response:
    service.delete_wall(store=store, wall_id=wall_id, principal=principal)
    nudge(wall_id)
    return Response(status_code=204)


@router.get("/walls/{wall_id}/versions", response_model=Items[WallVersionRead], responses=_REFUSED)
def wall_versions(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Any:
    """Every saved version of the wall, newest first: ``{"items": [{"version", "saved_by", "saved_at", "wall"}]}``."""
    service.get_wall(store=store, wall_id=wall_id, viewer=principal)
    return {"items": service.list_versions(store=store, wall_id=wall_id)}


@router.get("/walls/{wall_id}/state", response_model=SceneStateRead, responses=_REFUSED)
def wall_state(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Any:
    """``{"scene", "since", "next_at", "hold", "now"}``: the scene every screen shows, by the server's clock."""
    service.get_wall(store=store, wall_id=wall_id, viewer=principal)
    moment = now_us()
    state = service.wall_state(store=store, wall_id=wall_id, moment_us=moment)
    return {**state_json(state), "now": rfc3339_from_us(moment)}


@router.post("/walls/{wall_id}/scene", response_model=SceneStateRead, responses=_REFUSED)
def change_scene(wall_id: WallId, change: SceneChange, store: Store, principal: CurrentPrincipal) -> Any:
    """Jump to a scene (``{"scene": k}``) or hold (``{"hold": true}``) / resume (``{"hold": false}``)."""
    service.check_wall_edit(store=store, wall_id=wall_id, by=principal)
    state = service.set_scene(store=store, wall_id=wall_id, scene=change.scene, hold=change.hold)
    nudge(wall_id)
    return state_json(state)


@router.get("/walls/{wall_id}/posts", response_model=Items[dict[str, Any]], responses=_REFUSED)
def wall_posts(
    wall_id: WallId,
    store: Store,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """The posts the wall's screens show now (pinned first, then newest), each with ``wall_status``."""
    wall = service.get_wall(store=store, wall_id=wall_id, viewer=principal)
    return {"items": service.wall_posts(store=store, wall=wall, limit=limit)}


@router.get(
    "/walls/{wall_id}/stream",
    response_class=EventSourceResponse,
    responses={
        **_REFUSED,
        200: {
            "description": "ready, post, hide, state, wall, revoked, gone",
            "content": {"text/event-stream": {}},
        },
    },
)
async def wall_stream(
    wall_id: WallId,
    request: Request,
    hub: CurrentHub,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="resume after this event id")] = None,
) -> EventSourceResponse:
    """Server-Sent Events for the wall's screens: ready, post, hide, state, wall, revoked, gone."""
    await asyncio.to_thread(service.get_wall, store=hub.store, wall_id=wall_id, viewer=principal)
    resume_from = after
    if last_event_id:
        if not last_event_id.strip().isdigit():
            raise Invalid("Last-Event-ID: expected an event id", field="Last-Event-ID")
        resume_from = int(last_event_id)
    token = kiosk_token(request) if principal.via == KIOSK_VIA else None
    subscription, content = await open_screen(
        hub,
        wall_id,
        # A kiosk link's screens count together (its principal is the link), a person's with theirs.
        principal=principal_key(principal),
        kiosk_token=token,
        after=resume_from,
        # A person sees the wall's posts inside their teams' scope; a kiosk link shows the wall.
        scope=None if token is not None else scope_of(principal),
    )
    return LiveStreamResponse(hub, subscription, content)


@router.get("/walls/{wall_id}/moderation", response_model=Items[ModerationItemRead], responses=_REFUSED)
def moderation_queue(
    wall_id: WallId,
    store: Store,
    principal: CurrentPrincipal,
    status: Annotated[Literal["pending", "all"], Query()] = "all",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Recent posts under the wall's filters: ``{"items": [{"post", "status", "reason", "shown"}]}``."""
    wall = service.get_wall(store=store, wall_id=wall_id, viewer=principal)
    items = service.moderation_queue(store=store, wall=wall, limit=limit, status=status)
    return {
        "items": [
            {
                "post": item.post.to_json_dict(),
                "status": item.status,
                "reason": item.reason,
                "shown": item.shown,
            }
            for item in items
        ]
    }


@router.post("/walls/{wall_id}/moderation/{post_id:path}", response_model=DecisionRead, responses=_REFUSED)
def moderate_post(
    wall_id: WallId, post_id: str, body: ModerationAction, store: Store, principal: CurrentPrincipal
) -> Any:
    """``{"action": "approve"|"hide"|"pin"}``; a hidden post leaves every screen of the wall."""
    service.check_wall_edit(store=store, wall_id=wall_id, by=principal)
    decision = service.moderate(
        store=store, wall_id=wall_id, post_id=post_id, action=body.action, by=principal.name
    )
    nudge(wall_id)
    return decision


@router.post("/walls/{wall_id}/links", status_code=201, response_model=LinkCreated, responses=_REFUSED)
def create_link(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Any:
    """A kiosk link: ``{"token", "url": "/k/<token>"}`` (the token is shown once)."""
    service.check_wall_edit(store=store, wall_id=wall_id, by=principal)
    token = service.create_link(store=store, wall_id=wall_id, by=principal.name)
    return {"token": token, "url": f"/k/{token}"}


@router.get("/walls/{wall_id}/links", response_model=Items[LinkRead], responses=_REFUSED)
def list_links(wall_id: WallId, store: Store, principal: CurrentPrincipal) -> Any:
    """The wall's kiosk links (``hint``: the token's first characters; the token itself is not kept)."""
    service.get_wall(store=store, wall_id=wall_id, viewer=principal)
    return {"items": service.list_links(store=store, wall_id=wall_id)}


@router.delete("/walls/{wall_id}/links/{token}", status_code=204, responses=_REFUSED)
def revoke_link(wall_id: WallId, token: str, store: Store, principal: CurrentPrincipal) -> Response:
    """Revoke a kiosk link: its open screens stop within seconds."""
    service.check_wall_edit(store=store, wall_id=wall_id, by=principal)
    service.revoke_link(store=store, wall_id=wall_id, token=token)
    nudge(wall_id)
    return Response(status_code=204)
