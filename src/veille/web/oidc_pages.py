"""Single sign-on pages: ``/auth/oidc/login`` sends the browser to the identity provider,
``/auth/oidc/callback`` brings it back signed in (:mod:`veille.sso`).

Between the two, the flow (state, nonce, PKCE verifier, where to go next) travels in a cookie
sealed with the hub's secret key (Fernet: encrypted, authenticated, ten minutes at most), scoped to
``/auth/oidc``: no server-side state, so any process of the hub may answer the callback.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from veille.errors import VeilleError, http_status
from veille.security import SecretBox
from veille.sso import FlowState, OidcClient, grant_for_groups, sign_in_identity
from veille.sso.oidc import FLOW_TTL_S
from veille.web.deps import CurrentHub
from veille.web.i18n import N_
from veille.web.page_context import page_context
from veille.web.pages import safe_next, start_session, templates

__all__ = ["FLOW_COOKIE", "router"]

FLOW_COOKIE = "veille_oidc"
_FLOW_PATH = "/auth/oidc"
SSO_FAILED = N_("Single sign-on did not succeed.")
_OAUTH_ERROR = re.compile(r"^[a-z_]{1,64}$")
router = APIRouter(include_in_schema=False)


def _client(request: Request) -> OidcClient | None:
    client: OidcClient | None = getattr(request.app.state, "oidc", None)
    return client


def _box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.oidc_box
    return box


def _callback_url(request: Request) -> str:
    """The address the provider sends the browser back to: under ``public_url`` when set (behind a
    proxy the hub's own view of its address is not the browser's)."""
    public_url = request.app.state.settings.public_url
    if public_url:
        return public_url.rstrip("/") + f"{_FLOW_PATH}/callback"
    return str(request.url_for("oidc_callback"))


def _refused(request: Request, detail: str, status_code: int) -> Response:
    context = page_context(request, None, next="/wall", error=SSO_FAILED, detail=detail)
    response = templates.TemplateResponse(request, "login.html", context, status_code=status_code)
    response.delete_cookie(FLOW_COOKIE, path=_FLOW_PATH)
    return response


@router.get("/auth/oidc/login")
async def oidc_login(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    client = _client(request)
    if client is None:
        return _refused(request, "single sign-on is not configured on this hub", 404)
    try:
        url, flow = await client.start(redirect_uri=_callback_url(request), next_path=safe_next(next))
    except VeilleError as error:
        return _refused(request, str(error), 503)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        _box(request).seal_text(flow.to_json()),
        max_age=FLOW_TTL_S,
        path=_FLOW_PATH,
        httponly=True,
        # Lax: sent on the provider's top-level redirect back to the callback, never cross-site POSTs.
        samesite="lax",
        secure=request.app.state.settings.behind_tls or request.url.scheme == "https",
    )
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
async def oidc_callback(
    request: Request,
    hub: CurrentHub,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    client = _client(request)
    if client is None:
        return _refused(request, "single sign-on is not configured on this hub", 404)
    sealed = request.cookies.get(FLOW_COOKIE)
    text = _box(request).open_text(sealed, max_age_s=FLOW_TTL_S) if sealed else None
    if text is None:
        return _refused(request, "state: no sign-in in progress in this browser (or it took too long)", 400)
    flow = FlowState.from_json(text)
    if error is not None:
        shown = error if _OAUTH_ERROR.match(error) else "unknown"
        return _refused(request, f"the identity provider refused the sign-in ({shown})", 403)
    if not code or not state:
        return _refused(request, "code: the identity provider's answer has no code or state", 400)
    try:
        identity = await client.finish(code=code, state=state, flow=flow, redirect_uri=_callback_url(request))
        config = client.config
        grant = grant_for_groups(
            identity.groups,
            group_roles=config.group_roles,
            group_teams=config.group_teams,
            default_role=config.default_role,
        )
        principal = await asyncio.to_thread(sign_in_identity, hub.access, identity, grant)
    except VeilleError as refused:
        return _refused(request, str(refused), 503 if http_status(refused) == 503 else 403)
    response = await start_session(request, hub, principal, flow.next)
    response.delete_cookie(FLOW_COOKIE, path=_FLOW_PATH)
    return response
