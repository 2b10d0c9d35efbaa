"""The alerts pages: ``/alerts`` (the list, filtered by status, with the lifecycle's buttons) and
``/crisis/{alert_id}`` (the crisis room of an alert), ``/crisis/topic/{topic}`` (of a topic), plus the crisis report's HTML (``render_report``), which
``GET /api/v1/alerts/{id}/report`` answers as is or prints to PDF.

The pages are shells: their modules (``static/alerts/``) read the alerts, posts and analytics APIs
and follow the live stream. The report is complete HTML (styles inline, no script), so Chromium
prints it from a file without a session.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.alerts import Alert
from veille.alerts.service import AlertNotFound
from veille.alerts.topic_room import TopicRoom
from veille.clock import format_rfc3339
from veille.store.sql import SqlStore
from veille.topics.service import TopicNotFound, get_topic
from veille.web.api._params import scope_of
from veille.web.api.alerts import visible_alert
from veille.web.deps import CurrentHub, optional_principal
from veille.web.i18n import N_, translations
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["render_report", "router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="alerts")
    context["page_title"] = context["gettext"](N_("Alerts"))
    return templates.TemplateResponse(request, "alerts.html", context)


@router.get("/crisis/{alert_id}", response_class=HTMLResponse)
async def crisis_room(
    request: Request,
    hub: CurrentHub,
    principal: MaybePrincipal,
    alert_id: Annotated[int, Path(ge=1)],
    theme: Theme = "dark",
) -> Response:
    if principal is None:
        return login_redirect(request)
    try:
        alert = await asyncio.to_thread(visible_alert, hub.store, alert_id, principal)
    except AlertNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    context = page_context(request, principal, theme=theme, active="alerts", alert_id=alert.id, alert=alert)
    return templates.TemplateResponse(request, "crisis.html", context)


@router.get("/crisis/topic/{topic}", response_class=HTMLResponse)
async def topic_crisis_room(
    request: Request,
    hub: CurrentHub,
    principal: MaybePrincipal,
    topic: Annotated[str, Path(min_length=1, max_length=64)],
    theme: Theme = "dark",
) -> Response:
    """The crisis room of a topic: its live widgets, its alerts and their playbooks, its report."""
    if principal is None:
        return login_redirect(request)
    await asyncio.to_thread(visible_topic, hub.store, topic, principal)
    context = page_context(request, principal, theme=theme, active="alerts", topic=topic)
    return templates.TemplateResponse(request, "crisis_topic.html", context)


def visible_topic(store: SqlStore, topic: str, principal: Principal) -> None:
    """404 for a topic the store does not have or the caller's scope leaves out."""
    scope = scope_of(principal)
    try:
        get_topic(store=store, name=topic)
    except TopicNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"topic: no topic named {topic!r}") from None
    if scope.topics is not None and topic not in scope.topics:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"topic: no topic named {topic!r}")


def render_topic_report(room: TopicRoom, *, language: str) -> str:
    """The topic's crisis so far as one HTML document (every text escaped by the template)."""
    catalogue = translations(language)
    context = {
        **catalogue.template_context(),
        "room": room,
        "start": format_rfc3339(room.start),
        "end": format_rfc3339(room.end),
        "alerts": [
            {
                "alert": alert,
                "opened_at": format_rfc3339(alert.opened_at),
                "top_posts": (alert.figures.get("top_posts") or alert.figures.get("influencer_posts") or [])[
                    :3
                ],
                "events": [
                    {"at": format_rfc3339(e.at), "who": e.who, "action": e.action, "text": e.text}
                    for e in alert.timeline
                    if e.action not in ("updated",)
                ][-15:],
            }
            for alert in room.alerts
        ],
    }
    return templates.get_template("crisis_topic_report.html").render(context)


def render_report(request: Request, alert: Alert, *, language: str) -> str:
    """The crisis so far as one HTML document (every text escaped by the template)."""
    catalogue = translations(language)
    context = {
        **catalogue.template_context(),
        "alert": alert,
        "opened_at": format_rfc3339(alert.opened_at),
        "updated_at": format_rfc3339(alert.updated_at),
        "events": [
            {"at": format_rfc3339(event.at), "who": event.who, "action": event.action, "text": event.text}
            for event in alert.timeline
        ],
        "top_posts": alert.figures.get("top_posts") or alert.figures.get("influencer_posts") or [],
        "top_authors": alert.figures.get("top_authors") or [],
        "terms": alert.figures.get("terms") or [],
    }
    return templates.get_template("crisis_report.html").render(context)
