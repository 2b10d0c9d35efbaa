"""Alerts: rules (``/api/v1/alerts/rules``), the alerts they raise and their life
(``/api/v1/alerts``, ``/acknowledge``, ``/resolve``, ``/assign``, ``/notes``, ``/playbook``), and the
crisis report (``/api/v1/alerts/{id}/report?format=html|pdf``).

Every change is stored with who made it (the calling user or token) and when, in the alert's
timeline. A rule change applies to the live engine at once.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from veille.access import Principal
from veille.alerts import Alert, Rule, RuleSpec, service
from veille.alerts.delivery import check_notify_targets
from veille.alerts.messages import summary_in
from veille.alerts.scope import alert_queries, in_scope, visible_figures
from veille.errors import NotFound, Unavailable
from veille.hub import Hub
from veille.reports.pdf import ChromiumMissing, PrintFailed, print_page_to_pdf
from veille.security.outbound import OutboundPolicy
from veille.store.sql import SqlStore
from veille.web.api._params import scope_of
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal, Store
from veille.web.page_context import language_of
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["alerts"])

RuleId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the rule's id")]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the alert's id")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no such rule or alert"},
    409: {"model": ErrorRead, "description": "the alert's status does not allow this step"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


class AlertItem(BaseModel):
    id: int
    rule: str
    kind: str
    topic: str | None
    severity: str
    status: str
    opened_at: str
    updated_at: str
    posts: int
    summary: str


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["resolved", "false_positive"] = "resolved"
    note: str = Field(default="", max_length=4000)


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=4000)


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str | None = Field(default=None, max_length=128, description="a user name; null: nobody")


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class PlaybookBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: int = Field(ge=0, description="0-based step of the rule's playbook")
    done: bool = True


def visible_alert(store: SqlStore, alert_id: int, principal: Principal) -> Alert:
    """The alert as ``principal`` may see it; an alert outside their team scope is not found (404)."""
    alert = service.get_alert(store=store, alert_id=alert_id)
    scope = scope_of(principal)
    query = alert_queries(store, [alert.id]).get(alert.id)
    if not in_scope(topic=alert.topic, query=query, scope=scope):
        raise service.AlertNotFound(alert_id)
    if alert.rule_id is not None and alert.rule_id in service.hidden_rule_ids(store=store, viewer=principal):
        raise service.AlertNotFound(alert_id)  # a rule the caller may not see: its alerts neither
    return visible_figures(store, alert, scope)


async def _reload(hub: Hub, rule_id: int) -> None:
    if hub.alerts is not None:
        await hub.alerts.reload_rules()
    await hub.announce("alert_rule", rule_id)  # the other processes of the hub reload too


# -- rules ---------------------------------------------------------------------------------------


@router.get("/alerts/rules", response_model=Items[Rule])
def list_rules(store: Store, principal: CurrentPrincipal) -> Any:
    """The rules the caller may see (their visibility)."""
    return {"items": service.list_rules(store=store, viewer=principal)}


@router.post("/alerts/rules", status_code=201, response_model=Rule, responses=_REFUSED)
async def create_rule(spec: RuleSpec, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "kind", "topic" | "query", "window_s", "threshold", "sensitivity",
    "min_followers", "severity", "cooldown_s", "notify", "playbook", "enabled"}`` (see docs/alerts.md)."""
    check_notify_targets(spec.notify, OutboundPolicy.build(allow=hub.settings.outbound_allow))
    rule = await asyncio.to_thread(service.create_rule, store=hub.store, spec=spec, by=principal)
    await _reload(hub, rule.id)
    return rule


@router.get("/alerts/rules/{rule_id}", response_model=Rule, responses=_REFUSED)
def get_rule(rule_id: RuleId, store: Store, principal: CurrentPrincipal) -> Any:
    return service.get_rule(store=store, rule_id=rule_id, viewer=principal)


@router.put("/alerts/rules/{rule_id}", response_model=Rule, responses=_REFUSED)
async def replace_rule(rule_id: RuleId, spec: RuleSpec, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    check_notify_targets(spec.notify, OutboundPolicy.build(allow=hub.settings.outbound_allow))
    rule = await asyncio.to_thread(
        service.update_rule, store=hub.store, rule_id=rule_id, spec=spec, by=principal
    )
    await _reload(hub, rule_id)
    return rule


@router.delete("/alerts/rules/{rule_id}", status_code=204, responses=_REFUSED)
async def delete_rule(rule_id: RuleId, hub: CurrentHub, principal: CurrentPrincipal) -> Response:
    await asyncio.to_thread(service.delete_rule, store=hub.store, rule_id=rule_id, by=principal)
    await _reload(hub, rule_id)
    return Response(status_code=204)


# -- alerts --------------------------------------------------------------------------------------


def _worded(alert: Alert, language: str) -> Alert:
    """The alert with its summary in the reader's language (stored in the organisation's)."""
    line = summary_in(kind=alert.kind, topic=alert.topic, figures=alert.figures, language=language)
    return alert if line is None else alert.model_copy(update={"summary": line})


@router.get("/alerts", response_model=Items[AlertItem])
def list_alerts(
    request: Request,
    store: Store,
    principal: CurrentPrincipal,
    status: Annotated[
        list[Literal["open", "acknowledged", "resolved", "false_positive"]] | None,
        Query(description="repeat or comma-separate; default: every status"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """``{"items": [{"id", "rule", "kind", "topic", "severity", "status", "opened_at", "updated_at", "posts", "summary"}]}``, newest first."""
    scope = scope_of(principal)
    alerts = service.list_alerts(store=store, statuses=list(status or []) or None, limit=limit)
    if scope.topics is not None:  # only the alerts of rules inside the caller's team scope
        queries = alert_queries(store, [alert.id for alert in alerts])
        alerts = [a for a in alerts if in_scope(topic=a.topic, query=queries.get(a.id), scope=scope)]
    hidden = service.hidden_rule_ids(store=store, viewer=principal)  # and only those of rules they may see
    alerts = [alert for alert in alerts if alert.rule_id is None or alert.rule_id not in hidden]
    language = language_of(request, principal)
    return {"items": [_worded(alert, language).list_item() for alert in alerts]}


@router.get("/alerts/{alert_id}", response_model=Alert, responses=_REFUSED)
def get_alert(alert_id: AlertId, request: Request, store: Store, principal: CurrentPrincipal) -> Any:
    """The whole alert: figures, timeline, deliveries, playbook and its ticks; its summary in the
    reader's language."""
    return _worded(visible_alert(store, alert_id, principal), language_of(request, principal))


@router.post("/alerts/{alert_id}/acknowledge", response_model=Alert, responses=_REFUSED)
def acknowledge(
    alert_id: AlertId, store: Store, principal: CurrentPrincipal, body: AcknowledgeBody | None = None
) -> Any:
    visible_alert(store, alert_id, principal)
    return service.acknowledge_alert(
        store=store, alert_id=alert_id, who=principal.name, note=body.note if body else ""
    )


@router.post("/alerts/{alert_id}/resolve", response_model=Alert, responses=_REFUSED)
def resolve(alert_id: AlertId, body: ResolveBody, store: Store, principal: CurrentPrincipal) -> Any:
    """``{"outcome": "resolved" | "false_positive", "note"}``."""
    visible_alert(store, alert_id, principal)
    return service.resolve_alert(
        store=store, alert_id=alert_id, who=principal.name, outcome=body.outcome, note=body.note
    )


@router.post("/alerts/{alert_id}/assign", response_model=Alert, responses=_REFUSED)
def assign(alert_id: AlertId, body: AssignBody, store: Store, principal: CurrentPrincipal) -> Any:
    visible_alert(store, alert_id, principal)
    return service.assign_alert(store=store, alert_id=alert_id, who=principal.name, assignee=body.assignee)


@router.post("/alerts/{alert_id}/notes", response_model=Alert, responses=_REFUSED)
def add_note(alert_id: AlertId, body: NoteBody, store: Store, principal: CurrentPrincipal) -> Any:
    visible_alert(store, alert_id, principal)
    return service.add_note(store=store, alert_id=alert_id, who=principal.name, text=body.text)


@router.post("/alerts/{alert_id}/playbook", response_model=Alert, responses=_REFUSED)
def tick_playbook(alert_id: AlertId, body: PlaybookBody, store: Store, principal: CurrentPrincipal) -> Any:
    """Tick (``done``: true) or untick a step of the rule's playbook; the tick goes into the timeline."""
    visible_alert(store, alert_id, principal)
    return service.tick_playbook(
        store=store, alert_id=alert_id, who=principal.name, step=body.step, done=body.done
    )


@router.get(
    "/alerts/{alert_id}/report",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "the crisis report"},
        404: {"model": ErrorRead, "description": "no alert with that id"},
        503: {"model": ErrorRead, "description": "Chromium, which prints the PDF, is missing or failed"},
    },
)
async def alert_report(
    alert_id: AlertId,
    request: Request,
    hub: CurrentHub,
    principal: CurrentPrincipal,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """The crisis so far, for the crisis centre: the alert, its figures, timeline and notes."""
    from veille.web.crisis_pages import render_report

    alert = await asyncio.to_thread(visible_alert, hub.store, alert_id, principal)
    language = language_of(request, principal)
    html = render_report(request, alert, language=language)
    if format == "html":
        return HTMLResponse(html)
    try:
        pdf = await print_html_to_pdf(html)
    except (ChromiumMissing, PrintFailed) as error:
        raise Unavailable(str(error), field="chromium") from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="alert-{alert.id}.pdf"'},
    )


@router.get(
    "/alerts/topic/{topic}/report",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {}, "application/pdf": {}},
            "description": "the topic's crisis report",
        },
        404: {"model": ErrorRead, "description": "no such topic, or outside the caller's scope"},
        503: {"model": ErrorRead, "description": "Chromium, which prints the PDF, is missing or failed"},
    },
)
async def topic_report(
    topic: Annotated[str, Path(min_length=1, max_length=64, description="a topic name")],
    request: Request,
    hub: CurrentHub,
    principal: CurrentPrincipal,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """The crisis of a topic so far: its figures over the period, its alerts (open, acknowledged and
    recent) with their top posts, playbooks and timelines, inside the caller's scope."""
    from veille.alerts.topic_room import topic_room
    from veille.web.crisis_pages import render_topic_report, visible_topic

    try:
        await asyncio.to_thread(visible_topic, hub.store, topic, principal)
    except HTTPException as error:
        raise NotFound(str(error.detail), field="topic") from None
    hidden = await asyncio.to_thread(service.hidden_rule_ids, store=hub.store, viewer=principal)
    room = await asyncio.to_thread(
        topic_room, store=hub.store, topic=topic, scope=scope_of(principal), hidden_rules=hidden
    )
    html = render_topic_report(room, language=language_of(request, principal))
    if format == "html":
        return HTMLResponse(html)
    try:
        pdf = await print_html_to_pdf(html)
    except (ChromiumMissing, PrintFailed) as error:
        raise Unavailable(str(error), field="chromium") from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="topic-crisis.pdf"'},
    )


async def print_html_to_pdf(html: str) -> bytes:
    """Chromium prints the report from a file (it holds everything: no session needed)."""
    import tempfile
    from pathlib import Path as FilePath

    with tempfile.TemporaryDirectory(prefix="veille-report-") as folder:
        page = FilePath(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        return await print_page_to_pdf(page.as_uri())
