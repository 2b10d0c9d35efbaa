"""Users (``/api/v1/users``, administrators) and API tokens (``/api/v1/tokens``, anyone's own).

A token is shown once, at creation; it carries at most its creator's role and only teams its
creator belongs to. A removed user's sessions and tokens stop working at once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from veille.access import TokenInfo, UserInfo
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal
from veille.web.schemas import ErrorRead, Items

__all__ = ["router"]

router = api_router(tags=["users"])

Role = Literal["admin", "analyst", "viewer"]
Username = Annotated[str, Path(min_length=1, max_length=128)]
TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "beyond the caller's role or teams; names what is missing"},
    404: {"model": ErrorRead, "description": "no such user or token"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


def _iso(us: int | None) -> str | None:
    if us is None:
        return None
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


class UserRead(BaseModel):
    username: str
    role: Role
    teams: list[str]
    created_at: str


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=8, max_length=1024)
    role: Role = "analyst"
    teams: list[str] = Field(default_factory=list, max_length=100)


class UserChange(BaseModel):
    """Fields to change; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    teams: list[str] | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class TokenRead(BaseModel):
    id: int
    name: str
    role: Role
    teams: list[str]
    user: str | None
    created_at: str
    last_used_at: str | None
    push_sources: list[str] = Field(
        default_factory=lambda: ["push"],
        description="the sources it may write through POST /api/v1/posts ('*': every source)",
    )


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    role: Role = "viewer"
    teams: list[str] = Field(default_factory=list, max_length=100)
    push_sources: list[str] | None = Field(
        default=None,
        max_length=100,
        description="sources it may write through the push API (default: push; others: admins only)",
    )


class TokenCreated(TokenRead):
    token: str = Field(description="the secret, shown this once")


def _user(info: UserInfo) -> UserRead:
    return UserRead(
        username=info.username, role=info.role, teams=list(info.teams), created_at=_iso(info.created_us) or ""
    )


def _token(info: TokenInfo) -> TokenRead:
    return TokenRead(
        id=info.id,
        name=info.name,
        role=info.role,
        teams=list(info.teams),
        user=info.user,
        created_at=_iso(info.created_us) or "",
        last_used_at=_iso(info.last_used_us),
        push_sources=list(info.push_sources),
    )


@router.get("/users", response_model=Items[UserRead])
async def read_users(hub: CurrentHub) -> Any:
    """Every user, with role and teams."""
    return {"items": [_user(info) for info in await asyncio.to_thread(hub.access.list_users)]}


@router.post("/users", status_code=201, response_model=UserRead, responses=_REFUSED)
async def add_user(body: UserCreate, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """Create ``{"username", "password", "role", "teams"}``."""

    def create() -> UserInfo:
        hub.access.add_user(
            body.username, body.password, role=body.role, teams=body.teams, actor=principal.name
        )
        return next(u for u in hub.access.list_users() if u.username == body.username.strip().lower())

    return _user(await asyncio.to_thread(create))


@router.put("/users/{username}", response_model=UserRead, responses=_REFUSED)
async def change_user(
    username: Username, body: UserChange, hub: CurrentHub, principal: CurrentPrincipal
) -> Any:
    """Change a user's ``role``, ``teams`` and/or ``password`` (a new password ends their sessions)."""

    def change() -> UserInfo:
        access = hub.access
        if body.role is not None:
            access.set_role(username, body.role, actor=principal.name)
        if body.teams is not None:
            access.set_teams(username, body.teams, actor=principal.name)
        if body.password is not None:
            access.set_password(username, body.password, actor=principal.name)
        name = username.strip().lower()
        found = [u for u in access.list_users() if u.username == name]
        if not found:
            access.set_role(username, "viewer", actor=principal.name)  # raises NotFound
        return found[0]

    return _user(await asyncio.to_thread(change))


@router.delete("/users/{username}", status_code=204, responses=_REFUSED)
async def remove_user(username: Username, hub: CurrentHub, principal: CurrentPrincipal) -> Response:
    """Remove a user; their sessions end and their tokens stop working at once."""
    await asyncio.to_thread(hub.access.remove_user, username, actor=principal.name)
    return Response(status_code=204)


@router.get("/tokens", response_model=Items[TokenRead])
async def read_tokens(hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """The caller's tokens (an administrator: every token); never their secrets."""
    infos = await asyncio.to_thread(
        hub.access.list_tokens, user_id=principal.user_id, everyone=principal.admin
    )
    return {"items": [_token(info) for info in infos]}


@router.post("/tokens", status_code=201, response_model=TokenCreated, responses=_REFUSED)
async def add_token(body: TokenCreate, hub: CurrentHub, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "role", "teams", "push_sources"}`` for the caller; the answer's ``token``
    is shown once. Only an admin may let a token write sources other than ``push``."""

    def create() -> TokenCreated:
        secret = hub.access.create_token(
            body.name, role=body.role, teams=body.teams, push_sources=body.push_sources, creator=principal
        )
        newest = max(
            hub.access.list_tokens(user_id=principal.user_id, everyone=principal.user_id is None),
            key=lambda info: info.id,
        )
        return TokenCreated(**_token(newest).model_dump(), token=secret)

    return await asyncio.to_thread(create)


@router.delete("/tokens/{token_id}", status_code=204, responses=_REFUSED)
async def revoke_token(token_id: TokenId, hub: CurrentHub, principal: CurrentPrincipal) -> Response:
    """Revoke a token (yours; an administrator: any). It stops working at once."""
    await asyncio.to_thread(hub.access.revoke_token, token_id, by=principal)
    return Response(status_code=204)
