"""The dashboards pages: ``/dashboards`` (the list) and ``/dashboards/{id}`` (a grid of widgets with
its filter bar), and ``/dashboards/{id}/report``, the print view Chromium turns into the PDF report.

The pages are shells: their modules (``static/dashboards/``) read the dashboards API. The report
page also accepts ``?print_session=<id>`` from the hub's own print (``web/api/dashboards.py``):
Chromium has no cookie, so the page sets the session cookie it was given (a two-minute session,
closed after the print) and its widgets then read the API as that user.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.dashboards import DashboardNotFound, get_dashboard
from veille.web.deps import SESSION_COOKIE, CurrentHub, optional_principal
from veille.web.i18n import N_
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]
PRINT_COOKIE_S = 120


@router.get("/dashboards", response_class=HTMLResponse)
async def dashboards_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="dashboards")
    context["page_title"] = context["gettext"](N_("Dashboards"))
    return templates.TemplateResponse(request, "dashboards.html", context)


async def _dashboard_or_404(hub: CurrentHub, dashboard_id: int) -> None:
    # A missing dashboard is a 404 page now, not a page that fails later in its script.
    try:
        await asyncio.to_thread(get_dashboard, store=hub.store, dashboard_id=dashboard_id)
    except DashboardNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None


@router.get("/dashboards/{dashboard_id}", response_class=HTMLResponse)
async def dashboard_page(
    request: Request,
    hub: CurrentHub,
    principal: MaybePrincipal,
    dashboard_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    theme: Theme = "dark",
) -> Response:
    if principal is None:
        return login_redirect(request)
    await _dashboard_or_404(hub, dashboard_id)
    context = page_context(request, principal, theme=theme, active="dashboards", dashboard_id=dashboard_id)
    context["mode"] = "page"
    return templates.TemplateResponse(request, "dashboard.html", context)


@router.get("/dashboards/{dashboard_id}/report", response_class=HTMLResponse)
async def dashboard_report_page(
    request: Request,
    hub: CurrentHub,
    principal: MaybePrincipal,
    dashboard_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    print_session: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The report as printed: a cover with the filters, every widget in reading order, the top posts."""
    printed_by: Principal | None = None
    if print_session:
        printed_by = await asyncio.to_thread(hub.access.principal_for_session, print_session)
    viewer = printed_by or principal
    if viewer is None:
        return login_redirect(request)
    await _dashboard_or_404(hub, dashboard_id)
    context = page_context(request, viewer, theme="light", active="dashboards", dashboard_id=dashboard_id)
    context["mode"] = "report"
    response = templates.TemplateResponse(request, "dashboard.html", context)
    if printed_by is not None and print_session:
        response.set_cookie(
            SESSION_COOKIE, print_session, max_age=PRINT_COOKIE_S, httponly=True, samesite="lax"
        )
    return response
