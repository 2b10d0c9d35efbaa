"""The desk page ``/inbox``: the queue of inbound posts to our accounts, the conversation, the reply
box with saved replies, and assign / lock / close. A shell: its module (``static/inbox/``) reads
``/api/v1/inbox`` and follows the live stream."""

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


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="inbox")
    context["page_title"] = context["gettext"](N_("Inbox"))
    context["can_answer"] = principal.may("analyst")
    return templates.TemplateResponse(request, "inbox.html", context)
