"""Teams in the store: created, changed and removed by administrators, each change in the audit log."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from veille.clock import now_us
from veille.errors import Conflict, NotFound, invalid_from
from veille.store.audit import record_change
from veille.store.schema import api_token_teams, team_members, teams, users
from veille.store.sql import SqlStore
from veille.teams.models import Team, TeamSpec

__all__ = ["create_team", "delete_team", "get_team", "list_teams", "update_team"]


def _spec(values: dict[str, Any] | TeamSpec) -> TeamSpec:
    if isinstance(values, TeamSpec):
        return values
    try:
        return TeamSpec.model_validate(values)
    except ValidationError as error:
        raise invalid_from(error) from None


def _tuple(values: Any) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _team(connection: Connection, row: Any) -> Team:
    members = connection.execute(
        select(users.c.username)
        .select_from(team_members.join(users, users.c.id == team_members.c.user_id))
        .where(team_members.c.team_id == row.id)
        .order_by(users.c.username)
    ).scalars()
    return Team(
        id=row.id,
        name=row.name,
        topics=_tuple(row.scope_topics),
        countries=_tuple(row.scope_countries),
        sources=_tuple(row.scope_sources),
        members=tuple(members),
        created_us=row.created_us,
    )


def _row(connection: Connection, name: str) -> Any:
    row = connection.execute(select(teams).where(teams.c.name == name)).first()
    if row is None:
        raise NotFound(f"team: no team {name!r}", field="team")
    return row


def create_team(*, store: SqlStore, spec: dict[str, Any] | TeamSpec, actor: str) -> Team:
    team_spec = _spec(spec)
    with store.engine.begin() as connection:
        if connection.execute(select(teams.c.id).where(teams.c.name == team_spec.name)).first():
            raise Conflict(f"name: a team {team_spec.name!r} already exists", field="name")
        connection.execute(
            insert(teams).values(
                name=team_spec.name,
                scope_topics=team_spec.topics,
                scope_countries=team_spec.countries,
                scope_sources=team_spec.sources,
                created_us=now_us(),
            )
        )
        team = _team(connection, _row(connection, team_spec.name))
        record_change(
            connection,
            actor=actor,
            action="create",
            object_kind="team",
            object_id=team.name,
            after=team.scope_dict(),
        )
        return team


def update_team(*, store: SqlStore, name: str, spec: dict[str, Any] | TeamSpec, actor: str) -> Team:
    """Replace a team's scope (and name); members keep their membership."""
    team_spec = _spec(spec)
    with store.engine.begin() as connection:
        before = _team(connection, _row(connection, name))
        if (
            team_spec.name != name
            and connection.execute(select(teams.c.id).where(teams.c.name == team_spec.name)).first()
        ):
            raise Conflict(f"name: a team {team_spec.name!r} already exists", field="name")
        connection.execute(
            update(teams)
            .where(teams.c.id == before.id)
            .values(
                name=team_spec.name,
                scope_topics=team_spec.topics,
                scope_countries=team_spec.countries,
                scope_sources=team_spec.sources,
            )
        )
        after = _team(connection, _row(connection, team_spec.name))
        record_change(
            connection,
            actor=actor,
            action="update",
            object_kind="team",
            object_id=name,
            before={"name": before.name, **before.scope_dict()},
            after={"name": after.name, **after.scope_dict()},
        )
        return after


def delete_team(*, store: SqlStore, name: str, actor: str) -> None:
    """Remove a team: its members and tokens lose what it let them see."""
    with store.engine.begin() as connection:
        team = _team(connection, _row(connection, name))
        connection.execute(delete(team_members).where(team_members.c.team_id == team.id))
        connection.execute(delete(api_token_teams).where(api_token_teams.c.team_id == team.id))
        connection.execute(delete(teams).where(teams.c.id == team.id))
        record_change(
            connection,
            actor=actor,
            action="delete",
            object_kind="team",
            object_id=name,
            before={**team.scope_dict(), "members": list(team.members)},
        )


def get_team(*, store: SqlStore, name: str) -> Team:
    with store.engine.connect() as connection:
        return _team(connection, _row(connection, name))


def list_teams(*, store: SqlStore) -> list[Team]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(teams).order_by(teams.c.name)).all()
        return [_team(connection, row) for row in rows]
