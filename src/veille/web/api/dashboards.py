"""Dashboards: CRUD (``/api/v1/dashboards``) and the PDF report of one (``/api/v1/dashboards/{id}/report.pdf``).

Bodies are :class:`~veille.dashboards.DashboardSpec` (pydantic): an unknown widget type, a bad
range, an unknown country answer 422 naming the field (``widgets.0.type``, ``filters.range``); a
topic the store does not have answers 422 with ``{"detail", "field"}`` (``filters.topics``).
The creating user is the ``owner``; ``visibility`` defaults to ``organisation``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from veille.dashboards import Dashboard, DashboardError, DashboardNotFound, DashboardSpec, service
from veille.reports.pdf import ChromiumMissing, PrintFailed, print_page_to_pdf
from veille.web.deps import CurrentHub, CurrentPrincipal
from veille.web.page_context import language_of

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/dashboards", tags=["dashboards"])

DashboardId = Annotated[int, Path(ge=1, description="the dashboard's id")]
REPORT_SESSION_S = 120


class DashboardList(BaseModel):
    items: list[Dashboard]


class ErrorAnswer(BaseModel):
    detail: str
    field: str | None = None


_REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorAnswer, "description": "no dashboard with that id"},
    422: {"model": ErrorAnswer, "description": "refused; names the field"},
}


def _refused(error: DashboardError) -> JSONResponse:
    code = 404 if isinstance(error, DashboardNotFound) else 422
    return JSONResponse({"detail": str(error), "field": error.field}, status_code=code)


@router.get("", response_model=DashboardList)
async def list_dashboards(hub: CurrentHub, _principal: CurrentPrincipal) -> DashboardList:
    """Every dashboard, by name."""
    found = await asyncio.to_thread(service.list_dashboards, store=hub.store)
    return DashboardList(items=found)


@router.post("", status_code=201, response_model=Dashboard, response_model_by_alias=True, responses=_REFUSALS)
async def create_dashboard(spec: DashboardSpec, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "description", "filters", "widgets": [{"type", "title", "x", "y", "w", "h", "options"}]}``."""
    try:
        return await asyncio.to_thread(
            service.create_dashboard, store=hub.store, spec=spec, owner=principal.name
        )
    except DashboardError as error:
        return _refused(error)


@router.get("/{dashboard_id}", response_model=Dashboard, response_model_by_alias=True, responses=_REFUSALS)
async def get_dashboard(dashboard_id: DashboardId, hub: CurrentHub, _principal: CurrentPrincipal) -> Any:
    try:
        return await asyncio.to_thread(service.get_dashboard, store=hub.store, dashboard_id=dashboard_id)
    except DashboardError as error:
        return _refused(error)


@router.put("/{dashboard_id}", response_model=Dashboard, response_model_by_alias=True, responses=_REFUSALS)
async def replace_dashboard(
    dashboard_id: DashboardId, spec: DashboardSpec, hub: CurrentHub, _principal: CurrentPrincipal
) -> Any:
    """Replace a dashboard (same body as creation); the owner and the creation time stay."""
    try:
        return await asyncio.to_thread(
            service.update_dashboard, store=hub.store, dashboard_id=dashboard_id, spec=spec
        )
    except DashboardError as error:
        return _refused(error)


@router.delete("/{dashboard_id}", status_code=204, responses=_REFUSALS)
async def delete_dashboard(
    dashboard_id: DashboardId, hub: CurrentHub, _principal: CurrentPrincipal
) -> Response:
    try:
        await asyncio.to_thread(service.delete_dashboard, store=hub.store, dashboard_id=dashboard_id)
    except DashboardError as error:
        return _refused(error)
    return Response(status_code=204)


@router.get(
    "/{dashboard_id}/report.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the report"},
        404: {"model": ErrorAnswer, "description": "no dashboard with that id"},
        503: {"model": ErrorAnswer, "description": "Chromium, which prints the report, is missing or failed"},
    },
)
async def dashboard_report(
    dashboard_id: DashboardId, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Response:
    """The dashboard as a PDF report: a cover with the filters, every widget, the top posts.

    Chromium prints the report page (``/dashboards/{id}/report``) as the caller sees it, logged in
    with a session of two minutes opened for this print and closed after it, in the caller's language.
    """
    try:
        dashboard = await asyncio.to_thread(service.get_dashboard, store=hub.store, dashboard_id=dashboard_id)
    except DashboardError as error:
        return _refused(error)
    if principal.user_id is None:
        detail = "user: a report is printed as a user; this API token belongs to no user"
        return JSONResponse({"detail": detail, "field": "user"}, status_code=403)
    session_id = await asyncio.to_thread(hub.access.open_session, principal, seconds=REPORT_SESSION_S)
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
    # The print's browser has no cookie: the report page exchanges this short session for one.
    query = urlencode({"print_session": session_id, "lang": language_of(request, principal)})
    try:
        pdf = await print_page_to_pdf(f"{base}/dashboards/{dashboard.id}/report?{query}")
    except ChromiumMissing as error:
        return JSONResponse({"detail": str(error), "field": "chromium"}, status_code=503)
    except PrintFailed as error:
        return JSONResponse({"detail": str(error), "field": "chromium"}, status_code=503)
    finally:
        await asyncio.to_thread(hub.access.close_session, session_id)
    filename = f"dashboard-{dashboard.id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
