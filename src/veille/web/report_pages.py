"""The scheduled reports page: ``/reports`` (every report the caller sees, its next run, its last runs
and their deliveries, and a form to schedule one). A shell: ``static/reports/reports.js`` reads
``/api/v1/reports`` and ``/api/v1/dashboards``."""

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


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request, principal: MaybePrincipal, theme: Annotated[Literal["dark", "light"], Query()] = "dark"
) -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="reports")
    context["page_title"] = context["gettext"](N_("Scheduled reports"))
    context["can_edit"] = principal.may("analyst")
    return templates.TemplateResponse(request, "reports.html", context)
