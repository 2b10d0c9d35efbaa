"""The editorial radar and briefs (``/api/v1/editorial``).

- ``GET /editorial/radar?topic=&from=&to=``: the topic's question sub-topics ranked by gap
  (:func:`veille.editorial.radar`); an unknown topic, or one outside the caller's scope, is a 422
  naming ``topic``.
- ``/editorial/briefs``: list, create (``{"topic", "terms", "subtopic", "from", "to", "title",
  "notes", "tz"}``), read, change (``{"title", "status", "notes"}``), delete; export as
  ``/editorial/briefs/{id}.md`` and ``.pdf``; link our content (``{"post_id"}`` or ``{"url"}``).

A brief whose topic is outside the caller's scope is invisible: 404 for one, absent from the list.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Query, Request
from fastapi.responses import Response

from veille.analytics.editorial_figures import AnalyticsFigures
from veille.analytics.known import check_topics
from veille.clock import parse_moment, zone_named
from veille.editorial import (
    BriefChanges,
    BriefLinkSpec,
    BriefSpec,
    brief_markdown,
    create_brief,
    delete_brief,
    get_brief,
    link_content,
    list_briefs,
    radar,
    unlink_content,
    update_brief,
)
from veille.errors import Invalid, Unavailable
from veille.reports.pdf import ChromiumMissing, PrintFailed, print_page_to_pdf
from veille.web.api._params import CallerScope
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Store
from veille.web.editorial_pages import brief_print_html
from veille.web.editorial_schemas import BriefListItemRead, BriefRead, RadarRead
from veille.web.i18n import translations
from veille.web.page_context import language_of
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["editorial"])

BriefId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="the brief's id")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no brief with that id (or outside the caller's scope)"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}
MAX_RADAR_DAYS = 92


def _range(from_: str | None, to: str | None, tz: str) -> tuple[datetime, datetime]:
    zone = zone_named(tz)
    end = parse_moment("to", to, zone) if to else datetime.now(UTC)
    start = parse_moment("from", from_, zone) if from_ else end - timedelta(days=1)
    if start >= end:
        raise Invalid("from: must be before to", field="from")
    if end - start > timedelta(days=MAX_RADAR_DAYS):
        raise Invalid(f"from: the range may not be longer than {MAX_RADAR_DAYS} days", field="from")
    return start, end


@router.get("/editorial/radar", response_model=RadarRead, responses={422: _REFUSED[422]})
def editorial_radar(
    store: Store,
    scope: CallerScope,
    topic: Annotated[str, Query(min_length=1, max_length=64, description="the topic's name")],
    from_: Annotated[
        str | None, Query(alias="from", description="ISO date or date-time, inclusive (default: to − 1 day)")
    ] = None,
    to: Annotated[str | None, Query(description="ISO date or date-time, exclusive (default: now)")] = None,
    tz: Annotated[str, Query(description="IANA time zone of from/to without an offset")] = "UTC",
) -> Any:
    """``{"items": [{"subtopic", "terms", "questions", "demand", "growth", "coverage", "gap",
    "countries", "languages", …}], "meta": {…}}``, ranked by gap (see ``docs/editorial.md``)."""
    check_topics(store, [topic], allowed=scope.topics)
    start, end = _range(from_, to, tz)
    return radar(store, topic=topic, start=start, end=end, figures=AnalyticsFigures(store, scope))


@router.get("/editorial/briefs", response_model=Items[BriefListItemRead])
def editorial_briefs(store: Store, scope: CallerScope) -> Any:
    """``{"items": [...]}``: the briefs in the caller's scope, newest first."""
    return {"items": list_briefs(store=store, scope=scope)}


@router.post("/editorial/briefs", status_code=201, response_model=BriefRead, responses={422: _REFUSED[422]})
def make_brief(spec: BriefSpec, store: Store, scope: CallerScope, principal: CurrentPrincipal) -> Any:
    """Make a brief from a radar sub-topic: its questions, audiences, influencers, best formats and hours."""
    check_topics(store, [spec.topic], allowed=scope.topics)
    brief = create_brief(store=store, spec=spec, figures=AnalyticsFigures(store, scope), by=principal.name)
    return brief.model_dump(by_alias=True)


@router.get(
    "/editorial/briefs/{brief_id}.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}, "description": "the brief as Markdown"}, **_REFUSED},
)
def brief_as_markdown(
    brief_id: BriefId, request: Request, store: Store, scope: CallerScope, principal: CurrentPrincipal
) -> Response:
    """The brief as Markdown, in the caller's language."""
    brief = get_brief(store=store, brief_id=brief_id, figures=AnalyticsFigures(store, scope))
    text = brief_markdown(brief, translations(language_of(request, principal)).gettext)
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="brief-{brief_id}.md"'},
    )


@router.get(
    "/editorial/briefs/{brief_id}.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the brief"},
        **_REFUSED,
        503: {"model": ErrorRead, "description": "Chromium, which prints the brief, is missing or failed"},
    },
)
async def brief_as_pdf(
    brief_id: BriefId, request: Request, store: Store, scope: CallerScope, principal: CurrentPrincipal
) -> Response:
    """The brief as PDF: its print page rendered on the server (no script, post text escaped) and
    printed by Chromium (:mod:`veille.reports.pdf`)."""
    brief = await asyncio.to_thread(
        get_brief, store=store, brief_id=brief_id, figures=AnalyticsFigures(store, scope)
    )
    html = brief_print_html(brief, language_of(request, principal))
    with tempfile.TemporaryDirectory(prefix="veille-brief-") as scratch:
        page = Path(scratch) / "brief.html"
        page.write_text(html, encoding="utf-8")
        try:
            pdf = await print_page_to_pdf(page.as_uri(), budget_ms=1_000)
        except (ChromiumMissing, PrintFailed) as error:
            raise Unavailable(str(error), field="chromium") from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="brief-{brief_id}.pdf"'},
    )


@router.get("/editorial/briefs/{brief_id}", response_model=BriefRead, responses=_REFUSED)
def read_brief(brief_id: BriefId, store: Store, scope: CallerScope) -> Any:
    """The brief, with each linked post's figures against our usual ones and the questions before/after."""
    return get_brief(store=store, brief_id=brief_id, figures=AnalyticsFigures(store, scope)).model_dump(
        by_alias=True
    )


@router.put("/editorial/briefs/{brief_id}", response_model=BriefRead, responses=_REFUSED)
def change_brief(brief_id: BriefId, changes: BriefChanges, store: Store, scope: CallerScope) -> Any:
    """Change the title, status (draft, commissioned, published, archived) and notes."""
    return update_brief(
        store=store, brief_id=brief_id, changes=changes, figures=AnalyticsFigures(store, scope)
    ).model_dump(by_alias=True)


@router.delete("/editorial/briefs/{brief_id}", status_code=204, responses=_REFUSED)
def remove_brief(brief_id: BriefId, store: Store, scope: CallerScope) -> Response:
    delete_brief(store=store, brief_id=brief_id, scope=scope)
    return Response(status_code=204)


@router.post(
    "/editorial/briefs/{brief_id}/links", status_code=201, response_model=BriefRead, responses=_REFUSED
)
def link_brief_content(
    brief_id: BriefId, link: BriefLinkSpec, store: Store, scope: CallerScope, principal: CurrentPrincipal
) -> Any:
    """Link a post of ours (``{"post_id"}`` or ``{"url"}``) to the brief; answers the brief."""
    brief = link_content(
        store=store, brief_id=brief_id, link=link, figures=AnalyticsFigures(store, scope), by=principal.name
    )
    return brief.model_dump(by_alias=True)


@router.delete("/editorial/briefs/{brief_id}/links/{post_id}", status_code=204, responses=_REFUSED)
def unlink_brief_content(
    brief_id: BriefId,
    post_id: Annotated[str, PathParam(min_length=1, max_length=300)],
    store: Store,
    scope: CallerScope,
) -> Response:
    unlink_content(store=store, brief_id=brief_id, post_id=post_id, scope=scope)
    return Response(status_code=204)
