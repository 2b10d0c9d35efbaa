"""Scheduled reports (``/api/v1/reports``): a dashboard printed as PDF every day or week and sent
through Apprise; ``POST /api/v1/reports/{id}/run`` sends it now; the PDFs of the last runs stay
downloadable (``/runs/{run_id}/pdf``).

Bodies are :class:`~veille.reports.ReportSpec`: a bad time, time zone or day answers 422 naming the
field (``at``, ``timezone``, ``weekday``), an unknown dashboard 422 ``dashboard_id``. The creating
user is the owner: the PDF holds what their team scope lets them see. Analysts change their own
reports; administrators any.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response

from veille.alerts.delivery import check_notify_targets
from veille.hub import Hub
from veille.reports import Report, ReportSpec, service
from veille.security.outbound import OutboundPolicy
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Store
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["reports"])

ReportId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the report's id")]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the run's id")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "another user's report (only its owner or an admin changes it)"},
    404: {"model": ErrorRead, "description": "no report with that id"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


def _scheduler_heard(hub: Hub, request: Request) -> None:
    """Tell the scheduler where Chromium reaches this hub (the address this request came in on)."""
    if hub.reports is None:
        return
    server = request.scope.get("server")
    if server:
        host, port = server
        hub.reports.learn_base_url(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}")
    hub.reports.wake()


@router.get("/reports", response_model=Items[Report])
def list_reports(store: Store, principal: CurrentPrincipal) -> Any:
    """The scheduled reports the caller sees (their own and their teams'; an admin every one), by
    name, each with its last run."""
    return {"items": service.list_reports(store=store, viewer=principal)}


@router.post("/reports", status_code=201, response_model=Report, responses=_REFUSED)
async def create_report(
    spec: ReportSpec, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Any:
    """Create ``{"name", "dashboard_id", "schedule": "daily" | "weekly", "at": "HH:MM", "weekday",
    "timezone", "language": "en" | "fr", "notify": [Apprise URLs], "enabled"}``; the answer has
    ``id`` and ``next_run``; ``language`` left out is the organisation's."""
    check_notify_targets(spec.notify, OutboundPolicy.build(allow=hub.settings.outbound_allow))
    if "language" not in spec.model_fields_set and hub.settings.organisation_language in ("en", "fr"):
        spec = spec.model_copy(update={"language": hub.settings.organisation_language})
    report = await asyncio.to_thread(
        service.create_report,
        store=hub.store,
        spec=spec,
        owner=principal.name,
        owner_user_id=principal.user_id,
    )
    _scheduler_heard(hub, request)
    return report


@router.get("/reports/{report_id}", response_model=Report, responses=_REFUSED)
def get_report(report_id: ReportId, store: Store, principal: CurrentPrincipal) -> Any:
    """The report, its next run and its last runs with each delivery's attempts."""
    return service.get_report(store=store, report_id=report_id, viewer=principal)


@router.put("/reports/{report_id}", response_model=Report, responses=_REFUSED)
async def replace_report(
    report_id: ReportId, spec: ReportSpec, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Any:
    """Replace the report (same body as creation); the owner stays, the next run follows the schedule."""
    check_notify_targets(spec.notify, OutboundPolicy.build(allow=hub.settings.outbound_allow))
    report = await asyncio.to_thread(
        service.update_report,
        store=hub.store,
        report_id=report_id,
        spec=spec,
        by=principal,
    )
    _scheduler_heard(hub, request)
    return report


@router.delete("/reports/{report_id}", status_code=204, responses=_REFUSED)
async def delete_report(
    report_id: ReportId, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Response:
    await asyncio.to_thread(service.delete_report, store=hub.store, report_id=report_id, by=principal)
    _scheduler_heard(hub, request)
    return Response(status_code=204)


@router.post("/reports/{report_id}/run", status_code=202, response_model=Report, responses=_REFUSED)
async def run_report(
    report_id: ReportId, request: Request, hub: CurrentHub, principal: CurrentPrincipal
) -> Any:
    """Print and send the report now (its schedule stays); the answer is the report with this run
    first in ``runs`` (``status`` printed or failed, with the error); deliveries follow, retried."""
    await asyncio.to_thread(service.get_report, store=hub.store, report_id=report_id, viewer=principal)
    if hub.reports is None:
        from veille.errors import Unavailable

        raise Unavailable("reports: this hub runs no report scheduler", field="reports")
    _scheduler_heard(hub, request)
    await hub.reports.run_now(report_id)
    return await asyncio.to_thread(service.get_report, store=hub.store, report_id=report_id, viewer=principal)


@router.get(
    "/reports/{report_id}/runs/{run_id}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the PDF that run printed"},
        404: {"model": ErrorRead, "description": "no such report, or no PDF kept for that run"},
    },
)
def run_pdf(report_id: ReportId, run_id: RunId, store: Store, principal: CurrentPrincipal) -> Response:
    """The PDF a run printed (the last five runs keep theirs): the link each message carries."""
    pdf = service.report_pdf(store=store, report_id=report_id, run_id=run_id, viewer=principal)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}-{run_id}.pdf"'},
    )
