"""HTML pages: login, logout, the screens (the live wall first) and the admin pages (sources)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from veille.access import Principal
from veille.hub import Hub
from veille.security.login_throttle import LoginThrottle
from veille.store.audit import record_change
from veille.web.assets import static_prefix
from veille.web.deps import SESSION_COOKIE, CurrentHub, optional_principal
from veille.web.i18n import N_
from veille.web.kiosk import KIOSK_COOKIE
from veille.web.page_context import page_context

__all__ = ["login_redirect", "router", "safe_next", "start_session", "templates"]

# Jinja's i18n extension: templates say {{ _("Log in") }}; each render passes the reader's gettext
# (veille.web.page_context), so one environment serves every language.
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
)
templates.env.globals["static_prefix"] = static_prefix()
WRONG_LOGIN = N_("Unknown user or wrong password.")
TOO_MANY_LOGINS = N_("Too many sign-in attempts. Wait a few minutes, then try again.")
router = APIRouter(include_in_schema=False)

MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a user to another site after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/wall"
    return target


safe_next = _safe_next


def login_redirect(request: Request) -> Response:
    """To the login page, which brings the browser back to this address afterwards.

    A kiosk link's browser (veille.web.kiosk) is refused instead: its link shows one wall, and
    nothing else of the hub, not even the login page's invitation."""
    if request.cookies.get(KIOSK_COOKIE):
        return HTMLResponse(
            '403: a kiosk link shows its wall and nothing else. <a href="/login">Log in</a>', status_code=403
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Quoted, so that a wall address with several parameters (theme & title) survives the login.
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


@router.get("/")
async def home(request: Request, principal: MaybePrincipal) -> Response:
    if principal is None and request.cookies.get(KIOSK_COOKIE):
        return login_redirect(request)
    return RedirectResponse("/wall" if principal else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None) -> Response:
    context = page_context(request, None, next=_safe_next(next), error=None)
    return templates.TemplateResponse(request, "login.html", context)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    hub: CurrentHub,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    if not same_origin(request):
        # A form posted from another site (login CSRF: signing the victim in as the attacker).
        return HTMLResponse("403: this form is only accepted from the hub's own pages.", status_code=403)
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    refused = throttle.check(username=username, address=address)
    if refused is not None:
        return _too_many(request, next, refused.retry_after_s)
    principal = await hub.access.sign_in(username, password)
    if principal is None:
        locked_for = throttle.failed(username=username)
        if locked_for is not None:
            await asyncio.to_thread(_record_lockout, hub, username, address, locked_for)
            return _too_many(request, next, int(locked_for))
        context = page_context(request, None, next=_safe_next(next), error=WRONG_LOGIN)
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    throttle.succeeded(username=username)
    return await start_session(request, hub, principal, _safe_next(next))


async def start_session(request: Request, hub: Hub, principal: Principal, target: str) -> Response:
    """A new browser session for ``principal`` (a password or single sign-on), then to ``target``."""
    session_id = await asyncio.to_thread(hub.access.open_session, principal, days=hub.settings.session_days)
    response = RedirectResponse(_safe_next(target), status_code=303)
    # A person logging in on a browser that once showed a kiosk link is a person again.
    response.delete_cookie(KIOSK_COOKIE)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=hub.settings.session_days * 86_400,
        httponly=True,
        samesite="lax",
        secure=hub.settings.behind_tls or request.url.scheme == "https",
    )
    return response


def same_origin(request: Request) -> bool:
    """No Origin header (older browsers, scripts) passes; one naming another site does not."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    allowed = {own}
    public_url = request.app.state.settings.public_url
    if public_url:
        allowed.add(public_url.rstrip("/"))
    if request.app.state.settings.behind_tls:
        allowed.add(f"https://{request.url.netloc}")  # the proxy speaks HTTPS, the hub plain HTTP
    return origin.rstrip("/") in allowed


def _too_many(request: Request, next: str | None, retry_after_s: int) -> Response:
    context = page_context(request, None, next=_safe_next(next), error=TOO_MANY_LOGINS)
    return templates.TemplateResponse(
        request, "login.html", context, status_code=429, headers={"Retry-After": str(retry_after_s)}
    )


def _record_lockout(hub: Hub, username: str, address: str, seconds: float) -> None:
    with hub.store.engine.begin() as connection:
        record_change(
            connection,
            actor=f"address {address}",
            action="lockout",
            object_kind="login",
            object_id=username,
            after={"seconds": seconds, "address": address},
        )


@router.post("/logout")
async def logout(request: Request, hub: CurrentHub) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await asyncio.to_thread(hub.access.close_session, session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/wall", response_class=HTMLResponse)
async def wall(
    request: Request,
    principal: MaybePrincipal,
    theme: Annotated[Literal["dark", "light"], Query()] = "dark",
    title: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme)
    context["title"] = title or context["gettext"](N_("Veille — live"))
    return templates.TemplateResponse(request, "wall.html", context)


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(
    request: Request,
    principal: MaybePrincipal,
    theme: Annotated[Literal["dark", "light"], Query()] = "dark",
) -> Response:
    """Admin page: the platform sources with live health; add, stop, start and delete them."""
    if principal is None:
        return login_redirect(request)
    context = page_context(request, principal, theme=theme, active="sources")
    return templates.TemplateResponse(request, "sources.html", context)
