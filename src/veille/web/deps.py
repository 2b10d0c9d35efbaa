"""Typed dependencies: the hub of the running app and who is calling."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from veille.access import Principal
from veille.hub import Hub

__all__ = ["SESSION_COOKIE", "CurrentHub", "CurrentPrincipal", "optional_principal", "require_principal"]

SESSION_COOKIE = "veille_session"
# Cookie-authenticated requests that change something must carry this header: a cross-site form or
# image cannot set it, so a logged-in browser cannot be made to post on someone else's behalf.
CSRF_HEADER = "x-requested-with"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


CurrentHub = Annotated[Hub, Depends(get_hub)]


async def optional_principal(request: Request, hub: CurrentHub) -> Principal | None:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "Authorization: expected 'Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = await asyncio.to_thread(hub.access.principal_for_token, token.strip())
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "invalid API token", headers={"WWW-Authenticate": "Bearer"}
            )
        return principal
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        principal = await asyncio.to_thread(hub.access.principal_for_session, session_id)
        if principal is not None:
            if request.method not in _SAFE_METHODS and not request.headers.get(CSRF_HEADER):
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"cookie-authenticated {request.method} needs the header X-Requested-With",
                )
            return principal
    return None


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "authentication required: log in, or send 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
