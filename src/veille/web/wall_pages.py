"""The walls' pages: ``/walls`` (the list), ``/walls/{id}`` (the whole canvas) and
``/walls/{id}?screen=N`` (screen N's part of it, full-screen, no chrome), the editor
(``/walls/{id}/edit``), the moderation queue (``/walls/{id}/moderation``) and the kiosk link
``/k/<token>`` (``?screen=N`` too), which shows a wall without a login.

The screen pages are shells: ``static/walls/screen.js`` reads the wall, its posts and its stream.
Screens are numbered from 1, row by row: on a 3 × 2 wall, screen 4 is the first of the second row.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.walls import Wall, WallNotFound, service
from veille.web.deps import CurrentHub, optional_principal
from veille.web.i18n import N_
from veille.web.kiosk import KIOSK_COOKIE
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]
Screen = Annotated[int | None, Query(ge=1, le=10_000, description="1-based, row by row")]
WallId = Annotated[int, Path(ge=1, le=2**63 - 1)]
KIOSK_COOKIE_S = 400 * 86_400


async def _wall_or_404(hub: CurrentHub, wall_id: int) -> Wall:
    try:
        return await asyncio.to_thread(service.get_wall, store=hub.store, wall_id=wall_id)
    except WallNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


def _screen_of(wall: Wall, screen: int | None) -> int | None:
    if screen is not None and screen > wall.screens.count:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, f"screen: this wall has screens 1 to {wall.screens.count}"
        )
    return screen


@router.get("/walls", response_class=HTMLResponse)
async def walls_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="walls")
    context["page_title"] = context["gettext"](N_("Walls"))
    return templates.TemplateResponse(request, "walls.html", context)


def _screen_response(
    request: Request, principal: Principal | None, wall: Wall, screen: int | None, theme: str, kiosk: bool
) -> Response:
    context = page_context(request, principal, theme=theme)
    last_screen = wall.screens.columns * wall.screens.rows
    context.update(
        wall_id=wall.id,
        screen=screen,
        kiosk=kiosk,
        wall_name=wall.name,
        rows=wall.screens.rows,
        # The organisation's logo, once per wall: at the bottom right of the canvas (its last screen).
        logo_here=context["brand_logo"] and screen in (None, last_screen),
    )
    return templates.TemplateResponse(request, "wall_screen.html", context)


@router.get("/walls/{wall_id}", response_class=HTMLResponse)
async def wall_page(
    request: Request,
    hub: CurrentHub,
    principal: MaybePrincipal,
    wall_id: WallId,
    screen: Screen = None,
    theme: Theme = "dark",
) -> Response:
    if principal is None:
        return login_redirect(request)
    wall = await _wall_or_404(hub, wall_id)
    return _screen_response(request, principal, wall, _screen_of(wall, screen), theme, kiosk=False)


@router.get("/walls/{wall_id}/edit", response_class=HTMLResponse)
async def wall_editor(
    request: Request, hub: CurrentHub, principal: MaybePrincipal, wall_id: WallId, theme: Theme = "dark"
) -> Response:
    if principal is None:
        return login_redirect(request)
    await _wall_or_404(hub, wall_id)
    context = page_context(request, principal, theme=theme, active="walls", wall_id=wall_id)
    return templates.TemplateResponse(request, "wall_editor.html", context)


@router.get("/walls/{wall_id}/moderation", response_class=HTMLResponse)
async def wall_moderation(
    request: Request, hub: CurrentHub, principal: MaybePrincipal, wall_id: WallId, theme: Theme = "dark"
) -> Response:
    if principal is None:
        return login_redirect(request)
    await _wall_or_404(hub, wall_id)
    context = page_context(request, principal, theme=theme, active="walls", wall_id=wall_id)
    return templates.TemplateResponse(request, "wall_moderation.html", context)


@router.get("/k/{token}", response_class=HTMLResponse)
async def kiosk_page(
    request: Request,
    hub: CurrentHub,
    token: Annotated[str, Path(max_length=200)],
    screen: Screen = None,
    theme: Theme = "dark",
) -> Response:
    """A wall without a login: the token becomes the browser's kiosk cookie (veille.web.kiosk)."""
    wall_id = await asyncio.to_thread(service.wall_for_token, store=hub.store, token=token)
    if wall_id is None:
        refused = HTMLResponse("403: this kiosk link is unknown or was revoked", status_code=403)
        refused.delete_cookie(KIOSK_COOKIE)
        return refused
    wall = await _wall_or_404(hub, wall_id)
    response = _screen_response(request, None, wall, _screen_of(wall, screen), theme, kiosk=True)
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=KIOSK_COOKIE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response
