"""``/api/v1/me``: who is calling, and the user's preferences (language and time zone).

``GET`` answers ``{"name", "admin", "role", "teams", "language", "time_zone"}`` (``null``: the browser's language
or zone). ``PUT`` changes the fields it is given (``null`` clears one) and answers the same shape;
an API token that belongs to no user has no preferences (403).
"""

from __future__ import annotations

import asyncio
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from veille.access import Preferences, Principal
from veille.web.api._routing import api_router
from veille.web.deps import CurrentHub, CurrentPrincipal
from veille.web.i18n import LANGUAGES
from veille.web.schemas import ErrorRead

__all__ = ["Me", "PreferencesChange", "router"]

router = api_router(tags=["me"])

Language = Literal["en", "fr"]
assert set(LANGUAGES) == {"en", "fr"}, "Language must list the catalogues' languages"


class Me(BaseModel):
    name: str
    admin: bool
    role: Literal["admin", "analyst", "viewer"]
    teams: list[str]
    language: Language | None
    time_zone: str | None


class PreferencesChange(BaseModel):
    """The preferences to change; a field left out stays as it is, ``null`` clears it."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    time_zone: str | None = Field(default=None, max_length=64)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Paris'") from None
        return value


def _me(principal: Principal, preferences: Preferences) -> Me:
    language = preferences.language if preferences.language in LANGUAGES else None
    return Me(
        name=principal.name,
        admin=principal.admin,
        role=principal.role,
        teams=list(principal.teams),
        language=language,
        time_zone=preferences.time_zone,
    )


@router.get("/me", response_model=Me)
async def read_me(principal: CurrentPrincipal) -> Me:
    """The caller: name, whether an administrator, language and time zone."""
    return _me(principal, Preferences(language=principal.language, time_zone=principal.time_zone))


@router.put(
    "/me",
    response_model=Me,
    responses={
        403: {"model": ErrorRead, "description": "an API token without a user"},
        422: {"model": ErrorRead, "description": "refused; names the field"},
    },
)
async def change_me(change: PreferencesChange, hub: CurrentHub, principal: CurrentPrincipal) -> object:
    """Change the caller's ``language`` (``en``, ``fr``) and/or ``time_zone`` (IANA)."""
    if principal.user_id is None:
        return JSONResponse(
            {"detail": "user: this API token belongs to no user; preferences are a user's", "field": "user"},
            status_code=403,
        )
    user_id = principal.user_id
    current = await asyncio.to_thread(hub.access.preferences, user_id)
    given = change.model_fields_set
    wanted = Preferences(
        language=change.language if "language" in given else current.language,
        time_zone=change.time_zone if "time_zone" in given else current.time_zone,
    )
    stored = await asyncio.to_thread(hub.access.set_preferences, user_id, wanted)
    return _me(principal, stored)
