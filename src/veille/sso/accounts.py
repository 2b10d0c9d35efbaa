"""A checked OpenID Connect identity becomes a user of the hub: created at the first sign-in,
updated at each (role and teams follow the identity provider's groups), never merged into a local
account of the same name, and never given a usable password."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from veille.access import ROLES, Principal, UserAccess, _user_principal
from veille.clock import now_us
from veille.errors import Forbidden
from veille.sso.oidc import Identity
from veille.store.audit import record_change
from veille.store.schema import team_members, teams, users

__all__ = ["Grant", "SsoRefused", "grant_for_groups", "sign_in_identity"]

# Not an argon2 hash: a password check on it fails (InvalidHashError), so such a user signs in only
# through the identity provider.
NO_PASSWORD = "!sso"
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


class SsoRefused(Forbidden):
    """The identity is genuine but may not use the hub (no mapped group, a clashing local account)."""


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    teams: tuple[str, ...]


def grant_for_groups(
    groups: Iterable[str],
    *,
    group_roles: Mapping[str, str],
    group_teams: Mapping[str, Iterable[str]],
    default_role: str | None,
) -> Grant:
    """The role (the highest any group gives) and teams (every group's) of a user in ``groups``.

    Groups the mapping does not name are ignored; when none is named, ``default_role`` applies, and
    without one the user is refused (:class:`SsoRefused`)."""
    named = [group for group in groups if group in group_roles or group in group_teams]
    if not named and default_role is None:
        shown = ", ".join(sorted(groups)) or "none"
        raise SsoRefused(
            f"groups: none of your groups ({shown}) gives access to this hub; ask an administrator",
            field="groups",
        )
    roles = [group_roles[group] for group in named if group in group_roles]
    role = max(roles, key=ROLES.index) if roles else (default_role or "viewer")
    team_names = sorted({team for group in named for team in group_teams.get(group, ())})
    return Grant(role=role, teams=tuple(team_names))


def _username(identity: Identity) -> str:
    name = identity.username.strip().lower()
    if not name or not set(name) <= _USERNAME_CHARS or len(name) > 128:
        raise SsoRefused(
            f"username: {identity.username!r} from the identity provider is not a valid user name "
            "(letters, digits and . _ - @ only)",
            field="username",
        )
    return name


def sign_in_identity(access: UserAccess, identity: Identity, grant: Grant) -> Principal:
    """The hub's user for ``identity``, created or brought up to date with ``grant``."""
    subject = f"{identity.issuer} {identity.subject}"
    name = _username(identity)
    with access.engine.begin() as connection:
        row = connection.execute(
            select(users.c.id, users.c.role).where(users.c.sso_subject == subject)
        ).first()
        if row is None:
            clash = connection.execute(select(users.c.id).where(users.c.username == name)).first()
            if clash is not None:
                raise SsoRefused(
                    f"username: a local account is already called {name!r}; an administrator must "
                    "rename or remove it before this identity can sign in",
                    field="username",
                )
            result = connection.execute(
                insert(users).values(
                    username=name,
                    password_hash=NO_PASSWORD,
                    is_admin=grant.role == "admin",
                    role=grant.role,
                    created_us=now_us(),
                    sso_subject=subject,
                )
            )
            user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            before: dict[str, object] | None = None
            action = "create"
        else:
            user_id = int(row.id)
            current = sorted(
                connection.execute(
                    select(teams.c.name)
                    .select_from(team_members.join(teams, teams.c.id == team_members.c.team_id))
                    .where(team_members.c.user_id == user_id)
                ).scalars()
            )
            before = {"role": row.role, "teams": current}
            action = "sso"
            connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(role=grant.role, is_admin=grant.role == "admin")
            )
        known = {
            team_row.name: team_row.id
            for team_row in connection.execute(
                select(teams.c.id, teams.c.name).where(teams.c.name.in_(grant.teams))
            )
        }
        connection.execute(delete(team_members).where(team_members.c.user_id == user_id))
        for team in grant.teams:
            if team in known:
                connection.execute(insert(team_members).values(team_id=known[team], user_id=user_id))
        after = {"role": grant.role, "teams": sorted(known)}
        if before != after:
            record_change(
                connection,
                actor=f"sso:{name}",
                action=action,
                object_kind="user",
                object_id=name,
                before=before,
                after=after,
            )
        user = connection.execute(
            select(users.c.id, users.c.username, users.c.role, users.c.language, users.c.time_zone).where(
                users.c.id == user_id
            )
        ).one()
        return _user_principal(connection, user, via="session")
