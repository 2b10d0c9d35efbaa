"""Dashboards: CRUD (``/api/v1/dashboards``) and the PDF report of one (``/api/v1/dashboards/{id}/report.pdf``).

Bodies are :class:`~veille.dashboards.DashboardSpec` (pydantic): an unknown widget type, a bad
range, an unknown country answer 422 naming the field (``widgets.0.type``, ``filters.range``); a
topic the store does not have answers 422 too (``filters.topics``, ``widgets.2.options.topics``),
an unknown id 404 (the app's one error handler). The creating user is the ``owner``;
``visibility`` defaults to ``organisation``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Request
from fastapi.responses import JSONResponse, Response

from veille.dashboards import Dashboard, DashboardSpec, service
from veille.errors import Unavailable
from veille.reports.pdf import ChromiumMissing, PrintFailed, print_page_to_pdf
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Store
from veille.web.page_context import language_of
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["dashboards"])

DashboardId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the dashboard's id")]
REPORT_SESSION_S = 120
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no dashboard with that id"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


@router.get("/dashboards", response_model=Items[Dashboard], response_model_by_alias=True)
def list_dashboards(store: Store, principal: CurrentPrincipal) -> Any:
    """Every dashboard the caller may see (its visibility), by name."""
    return {"items": service.list_dashboards(store=store, viewer=principal)}


@router.post(
    "/dashboards", status_code=201, response_model=Dashboard, response_model_by_alias=True, responses=_REFUSED
)
def create_dashboard(spec: DashboardSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "description", "filters", "widgets": [{"type", "title", "x", "y", "w", "h", "options"}]}``."""
    return service.create_dashboard(
        store=store, spec=spec, owner=principal.username or principal.name, by=principal
    )


@router.get(
    "/dashboards/{dashboard_id}", response_model=Dashboard, response_model_by_alias=True, responses=_REFUSED
)
def get_dashboard(dashboard_id: DashboardId, store: Store, principal: CurrentPrincipal) -> Any:
    return service.get_dashboard(store=store, dashboard_id=dashboard_id, viewer=principal)


@router.put(
    "/dashboards/{dashboard_id}", response_model=Dashboard, response_model_by_alias=True, responses=_REFUSED
)
def replace_dashboard(
    dashboard_id: DashboardId, spec: DashboardSpec, store: Store, principal: CurrentPrincipal
) -> Any:
    """Replace a dashboard (same body as creation); the owner and the creation time stay, and so
    do ``owner_team`` and ``visibility`` when absent. Analysts change only their teams' dashboards."""
    return service.update_dashboard(store=store, dashboard_id=dashboard_id, spec=spec, by=principal)


@router.delete("/dashboards/{dashboard_id}", status_code=204, responses=_REFUSED)
def delete_dashboard(dashboard_id: DashboardId, store: Store, principal: CurrentPrincipal) -> Response:
    service.delete_dashboard(store=store, dashboard_id=dashboard_id, by=principal)
    return Response(status_code=204)


@router.get(
    "/dashboards/{dashboard_id}/report.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the report"},
        403: {"model": ErrorRead, "description": "an API token that belongs to no user"},
        404: {"model": ErrorRead, "description": "no dashboard with that id"},
        503: {"model": ErrorRead, "description": "Chromium, which prints the report, is missing or failed"},
    },
)
async def dashboard_report(
    dashboard_id: DashboardId, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Response:
    """The dashboard as a PDF report: a cover with the filters, every widget, the top posts.

    Chromium prints the report page (``/dashboards/{id}/report``) as the caller sees it, logged in
    with a session of two minutes opened for this print and closed after it, in the caller's language.
    """
    dashboard = await asyncio.to_thread(
        service.get_dashboard, store=hub.store, dashboard_id=dashboard_id, viewer=principal
    )
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
    except (ChromiumMissing, PrintFailed) as error:
        raise Unavailable(str(error), field="chromium") from None
    finally:
        await asyncio.to_thread(hub.access.close_session, session_id)
    filename = f"dashboard-{dashboard.id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
