"""The analysts' search pages: ``/explore`` (the mention explorer) and ``/topics`` (the topic editor).

Both are shells: their modules (``static/explore/``, ``static/topics/``) read the posts, query,
topics and jobs APIs. The explorer honours the drill-down addresses the widgets build
(``veille/widgets/filters.js`` ``exploreUrl``): ``q`` (a query), ``from``/``to``/``tz``, the filter
lists, ``include_duplicates`` and ``post`` (one post to open).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.web.deps import optional_principal
from veille.web.i18n import N_
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]


@router.get("/explore", response_class=HTMLResponse)
async def explore_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="explore")
    context["page_title"] = context["gettext"](N_("Explorer"))
    return templates.TemplateResponse(request, "explore.html", context)


@router.get("/topics", response_class=HTMLResponse)
async def topics_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="topics")
    context["page_title"] = context["gettext"](N_("Topics"))
    return templates.TemplateResponse(request, "topics.html", context)
