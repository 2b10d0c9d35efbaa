"""The editorial pages: ``/radar`` (what people ask per topic, ranked by gap), ``/briefs`` (the
briefs) and ``/briefs/{id}`` (one brief and the content linked to it).

The pages are shells: their modules (``static/editorial/``) read ``/api/v1/editorial``. The brief's
print view (:func:`brief_print_html`) is drawn here, on the server, for the PDF export: Chromium
prints a file holding no script, with every post text escaped by Jinja.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.editorial import Brief
from veille.web.deps import optional_principal
from veille.web.i18n import N_, translations
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["MARKDOWN_LABELS", "brief_print_html", "router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]

# The words of the Markdown and PDF exports (veille.editorial.markdown), marked for the catalogues.
MARKDOWN_LABELS = (
    N_("Topic"),
    N_("Sub-topic"),
    N_("Key terms"),
    N_("Period"),
    N_("Status"),
    N_("Questions"),
    N_("growth"),
    N_("Notes"),
    N_("What people ask"),
    N_("interactions"),
    N_("No question matched the key terms in the period."),
    N_("Audiences"),
    N_("Country"),
    N_("Language"),
    N_("Who influences the conversation"),
    N_("asked on this sub-topic"),
    N_("score"),
    N_("What performed best for this topic"),
    N_("Format"),
    N_("Posts"),
    N_("Engagement rate"),
    N_("Mean engagement"),
    N_("Hour"),
    N_("Our content on it"),
    N_("no longer stored"),
    N_("after a day"),
    N_("after a week"),
    N_("usual"),
    N_("questions before / after"),
    N_("the questions slowed down"),
)


def _page(
    request: Request, principal: Principal | None, *, theme: str, module: str, title: str, **extra: object
) -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="radar", module=module, **extra)
    context["page_title"] = context["gettext"](title)
    return templates.TemplateResponse(request, "editorial.html", context)


@router.get("/radar", response_class=HTMLResponse)
async def radar_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _page(request, principal, theme=theme, module="radar", title=N_("Editorial radar"))


@router.get("/briefs", response_class=HTMLResponse)
async def briefs_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
    return _page(request, principal, theme=theme, module="briefs", title=N_("Briefs"))


@router.get("/briefs/{brief_id}", response_class=HTMLResponse)
async def brief_page(
    request: Request,
    principal: MaybePrincipal,
    brief_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    theme: Theme = "dark",
) -> Response:
    return _page(request, principal, theme=theme, module="brief", title=N_("Brief"), brief_id=brief_id)


def brief_print_html(brief: Brief, language: str) -> str:
    """The brief as a standalone HTML page for printing (light theme, A4, no script)."""
    catalogue = translations(language)
    template = templates.env.get_template("brief_print.html")
    return template.render(brief=brief, **catalogue.template_context())
