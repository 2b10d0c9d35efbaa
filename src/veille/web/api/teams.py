"""Teams (``/api/v1/teams``): a team's scope decides what its members see. Everyone may list the
teams (a person sees which team covers what before writing a topic); administrators change them."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path
from fastapi.responses import Response
from pydantic import BaseModel

from veille.teams import TeamSpec, create_team, delete_team, get_team, list_teams, update_team
from veille.teams.models import Team
from veille.web.api._routing import api_router
from veille.web.deps import CurrentPrincipal, Store
from veille.web.schemas import ErrorRead, Items

__all__ = ["TeamRead", "router"]

router = api_router(tags=["teams"])

TeamName = Annotated[str, Path(min_length=1, max_length=128, description="the team's name")]
_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "no team with that name"},
    409: {"model": ErrorRead, "description": "a team with that name exists"},
    422: {"model": ErrorRead, "description": "refused; names the field"},
}


class TeamRead(BaseModel):
    name: str
    topics: list[str] | None
    countries: list[str] | None
    sources: list[str] | None
    members: list[str]


def _read(team: Team) -> TeamRead:
    return TeamRead(name=team.name, **team.scope_dict(), members=list(team.members))


@router.get("/teams", response_model=Items[TeamRead])
async def read_teams(store: Store) -> Any:
    """Every team with its scope and members."""
    return {"items": [_read(team) for team in await asyncio.to_thread(list_teams, store=store)]}


@router.post("/teams", status_code=201, response_model=TeamRead, responses=_REFUSED)
async def add_team(spec: TeamSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Create ``{"name", "topics", "countries", "sources"}`` (a missing list: no restriction)."""
    return _read(await asyncio.to_thread(create_team, store=store, spec=spec, actor=principal.name))


@router.get("/teams/{team_name}", response_model=TeamRead, responses=_REFUSED)
async def read_team(team_name: TeamName, store: Store) -> Any:
    return _read(await asyncio.to_thread(get_team, store=store, name=team_name))


@router.put("/teams/{team_name}", response_model=TeamRead, responses=_REFUSED)
async def change_team(team_name: TeamName, spec: TeamSpec, store: Store, principal: CurrentPrincipal) -> Any:
    """Replace a team's name and scope (same body as creation); members stay."""
    return _read(
        await asyncio.to_thread(update_team, store=store, name=team_name, spec=spec, actor=principal.name)
    )


@router.delete("/teams/{team_name}", status_code=204, responses=_REFUSED)
async def remove_team(team_name: TeamName, store: Store, principal: CurrentPrincipal) -> Response:
    await asyncio.to_thread(delete_team, store=store, name=team_name, actor=principal.name)
    return Response(status_code=204)
