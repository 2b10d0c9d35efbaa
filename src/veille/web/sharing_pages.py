"""The desk pages of sharing and governance (the catalogue, account requests, the register) and
the administration pages (users, teams, tokens, the audit log). Each page is a shell its module
(``static/sharing/*.js``, ``static/admin/*.js``) fills from the API; the admin pages answer a
403 page to everyone but admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from veille.access import Principal
from veille.errors import Forbidden
from veille.web.deps import optional_principal
from veille.web.i18n import N_
from veille.web.page_context import page_context
from veille.web.pages import login_redirect, templates

__all__ = ["ADMIN_PAGES", "DESK_PAGES", "router"]

router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
Theme = Annotated[Literal["dark", "light"], Query()]

# path -> (nav entry, page title, module); titles are translated when the page is drawn
DESK_PAGES: dict[str, tuple[str, str, str]] = {
    "/catalogue": ("catalogue", N_("Catalogue"), "/static/sharing/catalogue.js"),
    "/governance": ("governance", N_("Official accounts: requests"), "/static/sharing/governance.js"),
    "/governance/register": (
        "governance",
        N_("Register of official accounts"),
        "/static/sharing/register.js",
    ),
}
ADMIN_PAGES: dict[str, tuple[str, str, str]] = {
    "/admin/users": ("admin", N_("Users"), "/static/admin/users.js"),
    "/admin/teams": ("admin", N_("Teams"), "/static/admin/teams.js"),
    "/admin/tokens": ("admin", N_("API tokens"), "/static/admin/tokens.js"),
    "/admin/audit": ("admin", N_("Audit log"), "/static/admin/audit.js"),
}


def _page(request: Request, principal: Principal, path: str, theme: str, *, admin_page: bool) -> Response:
    active, title, script = (ADMIN_PAGES if admin_page else DESK_PAGES)[path]
    context = page_context(request, principal, theme=theme, active=active, script=script, page=path)
    context["page_title"] = context["gettext"](title)
    context["admin_page"] = admin_page
    return templates.TemplateResponse(request, "desk_page.html", context)


def _desk(path: str) -> None:
    @router.get(path, response_class=HTMLResponse, name=f"page {path}")
    async def desk_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
        if principal is None:
            return login_redirect(request)
        return _page(request, principal, path, theme, admin_page=False)


def _admin(path: str) -> None:
    @router.get(path, response_class=HTMLResponse, name=f"page {path}")
    async def admin_page(request: Request, principal: MaybePrincipal, theme: Theme = "dark") -> Response:
        if principal is None:
            return login_redirect(request)
        if not principal.admin:
            raise Forbidden(
                f"role: the administration pages need the admin role (you are {principal.role})", field="role"
            )
        return _page(request, principal, path, theme, admin_page=True)


for _path in DESK_PAGES:
    _desk(_path)
for _path in ADMIN_PAGES:
    _admin(_path)
