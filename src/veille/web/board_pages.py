"""The boards: ``/care`` (customer care against competitors), ``/countries`` (the world map and a
country's topics, influencers and posts), ``/influencers`` (the ranking) with ``/influencers/{author}``
(one author's page) and ``/content`` (how our own posts perform).

Each page is a shell: its module (``static/boards/<board>.js``) draws the shared widgets
(``static/lib/widgets/``) under the shared filter bar and reads the analytics API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.web.deps import optional_principal
from veille.web.i18n import N_
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["BOARDS", "router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]

# board -> its page title (translated when the page is drawn)
BOARDS: dict[str, str] = {
    "care": N_("Customer care"),
    "countries": N_("Countries"),
    "influencers": N_("Influencers"),
    "content": N_("Our content"),
}


def _board(request: Request, principal: Principal | None, board: str, theme: str, **extra: str) -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active=board, board=board, **extra)
    context["page_title"] = context["gettext"](BOARDS[board])
    return templates.TemplateResponse(request, "board.html", context)


@router.get("/care", response_class=HTMLResponse)
async def care_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _board(request, principal, "care", theme)


@router.get("/countries", response_class=HTMLResponse)
async def countries_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _board(request, principal, "countries", theme)


@router.get("/influencers", response_class=HTMLResponse)
async def influencers_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _board(request, principal, "influencers", theme)


@router.get("/influencers/{author}", response_class=HTMLResponse)
async def author_page(
    request: Request,
    principal: MaybePrincipal,
    author: Annotated[str, Path(min_length=1, max_length=200)],
    theme: Theme = "dark",
) -> Response:
    """One author (``?platform=`` narrows to one platform): the page reads ``/api/v1/analytics/authors``,
    which answers 404 in words for an author without posts in the caller's scope."""
    return _board(request, principal, "influencers", theme, author=author, module="author")


@router.get("/content", response_class=HTMLResponse)
async def content_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _board(request, principal, "content", theme)
