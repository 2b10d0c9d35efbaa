"""Who may use the hub: users (argon2-hashed passwords), API tokens and browser sessions, with
their role (``admin``, ``analyst``, ``viewer``) and teams.

Tokens and session ids are long random strings; only their SHA-256 is stored, so a stolen
database does not give access. Passwords, which people choose, are hashed with argon2. A token
never carries more than its creator: a role at most theirs, teams among theirs. Removing a user or
changing a password ends that user's sessions; removing a user revokes their tokens too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from veille.clock import now_us
from veille.errors import Forbidden, Invalid, NotFound
from veille.security import PasswordPool, password_hasher
from veille.store.audit import record_change
from veille.store.dialects import SQLITE_BUSY_TIMEOUT_MS
from veille.store.schema import api_token_teams, api_tokens, sessions, team_members, teams, users
from veille.store.sql import SqlStore

__all__ = [
    "ANY_SOURCE",
    "PUSH_SOURCE",
    "ROLES",
    "AccessError",
    "Preferences",
    "Principal",
    "TeamScope",
    "TokenInfo",
    "UserAccess",
    "UserInfo",
    "checked_push_sources",
    "role_at_least",
]

# From least to most rights: a viewer reads what is shared with their teams; an analyst also
# creates and edits topics, dashboards, walls and alert rules; an admin manages everything.
ROLES = ("viewer", "analyst", "admin")


# A session's last use is written at most this often (see UserAccess.principal_for_session).
_LAST_SEEN_EVERY_US = 60_000_000


def role_at_least(role: str, wanted: str) -> bool:
    """Whether ``role`` has at least the rights of ``wanted``."""
    return ROLES.index(role) >= ROLES.index(wanted)


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise AccessError(f"role: {role!r} is not one of {', '.join(ROLES)}", field="role")
    return role


TOKEN_PREFIX = "vt_"
# What the push API writes by default; ``*`` in a token's push sources is every source.
PUSH_SOURCE = "push"
ANY_SOURCE = "*"
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
# A token's last use is recorded to the minute, waiting at most this long for the write lock.
TOKEN_USE_RESOLUTION_US = 60_000_000
_BOOKKEEPING_WAIT_MS = 200
log = logging.getLogger(__name__)
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


class AccessError(Invalid):
    """A refused user, password or token (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class TeamScope:
    """A team and what it sees: topic names, countries (ISO, upper case), sources (lower case);
    ``None`` for "no restriction" on that dimension."""

    team: str
    topics: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user (by session or their token) or a named API token."""

    name: str
    user_id: int | None
    via: str  # "session" or "token"
    # Rights and preferences, read with the session or token (no extra query per page). A token
    # without a user is the operator's (VEILLE_ADMIN_TOKEN, `veille token create`): its role is its own.
    role: str = "viewer"
    language: str | None = None
    time_zone: str | None = None
    # The teams whose scopes the caller sees (their union); an admin sees everything whatever these.
    scopes: tuple[TeamScope, ...] = ()
    # The sources whose posts the caller may write through the push API: ``push`` unless an admin
    # granted more to a token; ``*`` is every source (the operator's own tokens).
    push_sources: tuple[str, ...] = (PUSH_SOURCE,)
    # The user behind a session or a user's token (None: an operator's token, a kiosk link).
    username: str | None = None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(scope.team for scope in self.scopes)

    def may(self, role: str) -> bool:
        return role_at_least(self.role, role)

    def may_push(self, source: str) -> bool:
        """Whether the caller may write posts of ``source`` through the push API."""
        return ANY_SOURCE in self.push_sources or source in self.push_sources


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    username: str
    role: str
    teams: tuple[str, ...]
    created_us: int


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    role: str
    teams: tuple[str, ...]
    user: str | None
    created_us: int
    last_used_us: int | None
    push_sources: tuple[str, ...] = (PUSH_SOURCE,)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user chose for the pages: ``language`` ("en", "fr") and IANA ``time_zone``; None: the browser's."""

    language: str | None = None
    time_zone: str | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _listed(values: Any) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _push_sources(stored: Any) -> tuple[str, ...]:
    """A token's stored push sources (null: ``push`` only)."""
    return tuple(stored) if stored else (PUSH_SOURCE,)


def checked_push_sources(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Source names (lower case, as in posts) or ``*``; a wrong one is refused naming it."""
    cleaned: list[str] = []
    for value in values:
        name = value.strip().lower()
        if name != ANY_SOURCE and not _SOURCE_NAME.match(name):
            raise AccessError(
                f"push_sources: {value!r} is not a source name (lower-case letters, digits, '_' or '-') or '*'",
                field="push_sources",
            )
        if name not in cleaned:
            cleaned.append(name)
    if not cleaned:
        raise AccessError(
            "push_sources: give at least one source (push is the default)", field="push_sources"
        )
    return tuple(cleaned)


class UserAccess:
    def __init__(
        self, store: SqlStore, *, passwords: PasswordPool | None = None, session_idle_s: float = 0
    ) -> None:
        self.engine = store.engine
        self._hasher = password_hasher()
        # Sign-ins hash on their own bounded threads, never in the pool the API's reads use.
        self.passwords = passwords or PasswordPool()
        # A browser session unused this long ends (0: only its lifetime ends it).
        self.session_idle_s = session_idle_s

    # -- users -------------------------------------------------------------------------------
    def add_user(
        self,
        username: str,
        password: str,
        *,
        role: str | None = None,
        admin: bool | None = None,
        teams: tuple[str, ...] | list[str] = (),
        actor: str = "cli",
    ) -> int:
        """Add a user with ``role`` (``admin=True`` is ``role="admin"``, the bootstrap form) in ``teams``."""
        if role is None:
            role = "admin" if admin else "analyst"
        role = _checked_role(role)
        name = username.strip().lower()
        if not name or not set(name) <= _USERNAME_CHARS:
            raise AccessError("username: use letters, digits and . _ - @ only", field="username")
        if len(password) < 8:
            raise AccessError("password: at least 8 characters", field="password")
        with self.engine.begin() as connection:
            exists = connection.execute(select(users.c.id).where(users.c.username == name)).first()
            if exists:
                raise AccessError(f"username: {name!r} already exists", field="username")
            team_ids = _team_ids(connection, teams)
            result = connection.execute(
                insert(users).values(
                    username=name,
                    password_hash=self._hasher.hash(password),
                    is_admin=role == "admin",
                    role=role,
                    created_us=now_us(),
                )
            )
            user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            for team_id in team_ids:
                connection.execute(insert(team_members).values(team_id=team_id, user_id=user_id))
            record_change(
                connection,
                actor=actor,
                action="create",
                object_kind="user",
                object_id=name,
                after={"role": role, "teams": sorted(teams)},
            )
            return user_id

    def set_password(self, username: str, password: str, *, actor: str = "cli") -> None:
        """Change a password; the user's sessions end (they log in again with the new one)."""
        if len(password) < 8:
            raise AccessError("password: at least 8 characters", field="password")
        name = username.strip().lower()
        with self.engine.begin() as connection:
            user_id = _user_id(connection, name)
            connection.execute(
                update(users).where(users.c.id == user_id).values(password_hash=self._hasher.hash(password))
            )
            connection.execute(delete(sessions).where(sessions.c.user_id == user_id))
            record_change(connection, actor=actor, action="password", object_kind="user", object_id=name)

    def set_role(self, username: str, role: str, *, actor: str = "cli") -> None:
        role = _checked_role(role)
        name = username.strip().lower()
        with self.engine.begin() as connection:
            user_id = _user_id(connection, name)
            before = connection.execute(select(users.c.role).where(users.c.id == user_id)).scalar_one()
            connection.execute(
                update(users).where(users.c.id == user_id).values(role=role, is_admin=role == "admin")
            )
            # Tokens never carry more than their user: a lowered role lowers theirs.
            for token_id, token_role in connection.execute(
                select(api_tokens.c.id, api_tokens.c.role).where(api_tokens.c.user_id == user_id)
            ).all():
                if not role_at_least(role, token_role):
                    connection.execute(
                        update(api_tokens).where(api_tokens.c.id == token_id).values(role=role)
                    )
            record_change(
                connection,
                actor=actor,
                action="role",
                object_kind="user",
                object_id=name,
                before={"role": before},
                after={"role": role},
            )

    def set_teams(self, username: str, teams: tuple[str, ...] | list[str], *, actor: str = "cli") -> None:
        name = username.strip().lower()
        with self.engine.begin() as connection:
            user_id = _user_id(connection, name)
            before = _teams_of_user(connection, user_id)
            team_ids = _team_ids(connection, teams)
            connection.execute(delete(team_members).where(team_members.c.user_id == user_id))
            for team_id in team_ids:
                connection.execute(insert(team_members).values(team_id=team_id, user_id=user_id))
            record_change(
                connection,
                actor=actor,
                action="teams",
                object_kind="user",
                object_id=name,
                before={"teams": list(before)},
                after={"teams": sorted(teams)},
            )

    def remove_user(self, username: str, *, actor: str = "cli") -> None:
        """Remove a user: their sessions end and their tokens stop working at once."""
        name = username.strip().lower()
        with self.engine.begin() as connection:
            user_id = _user_id(connection, name)
            role = connection.execute(select(users.c.role).where(users.c.id == user_id)).scalar_one()
            token_ids = [
                row.id
                for row in connection.execute(select(api_tokens.c.id).where(api_tokens.c.user_id == user_id))
            ]
            if token_ids:
                connection.execute(delete(api_token_teams).where(api_token_teams.c.token_id.in_(token_ids)))
                connection.execute(delete(api_tokens).where(api_tokens.c.id.in_(token_ids)))
            connection.execute(delete(sessions).where(sessions.c.user_id == user_id))
            connection.execute(delete(team_members).where(team_members.c.user_id == user_id))
            connection.execute(delete(users).where(users.c.id == user_id))
            record_change(
                connection,
                actor=actor,
                action="delete",
                object_kind="user",
                object_id=name,
                before={"role": role},
            )

    def list_users(self) -> list[UserInfo]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(users.c.id, users.c.username, users.c.role, users.c.created_us).order_by(
                    users.c.username
                )
            ).all()
            return [
                UserInfo(
                    id=row.id,
                    username=row.username,
                    role=row.role,
                    teams=_teams_of_user(connection, row.id),
                    created_us=row.created_us,
                )
                for row in rows
            ]

    def user_exists(self, username: str) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(users.c.id).where(users.c.username == username.strip().lower())
            ).first()
        return found is not None

    def user_count(self) -> int:
        with self.engine.connect() as connection:
            return len(connection.execute(select(users.c.id)).all())

    async def sign_in(self, username: str, password: str) -> Principal | None:
        """:meth:`check_password` for the web: the user is read in the default thread pool (a quick
        query), the hash runs on :attr:`passwords` (``PasswordPoolBusy`` when a flood fills it)."""
        row = await asyncio.to_thread(self._user_row, username)
        return await self.passwords.run(lambda: self._verify(row, password))

    def check_password(self, username: str, password: str) -> Principal | None:
        return self._verify(self._user_row(username), password)

    def _user_row(self, username: str) -> Any:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    users.c.id,
                    users.c.username,
                    users.c.password_hash,
                    users.c.role,
                    users.c.language,
                    users.c.time_zone,
                ).where(users.c.username == username.strip().lower())
            ).first()
        return row

    def _verify(self, row: Any, password: str) -> Principal | None:
        if row is None:
            # Same work whether or not the user exists, so timing does not tell which usernames exist.
            self._hasher.hash(password)
            return None
        try:
            self._hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self._hasher.check_needs_rehash(row.password_hash):
            # Made with other argon2 parameters (before the one-lane ones): rehashed once, now.
            with self.engine.begin() as connection:
                connection.execute(
                    update(users)
                    .where(users.c.id == row.id)
                    .values(password_hash=self._hasher.hash(password))
                )
        with self.engine.connect() as connection:
            return _user_principal(connection, row, via="session")

    def preferences(self, user_id: int) -> Preferences:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users.c.language, users.c.time_zone).where(users.c.id == user_id)
            ).first()
        if row is None:
            raise AccessError(f"user: no user with id {user_id}")
        return Preferences(language=row.language, time_zone=row.time_zone)

    def set_preferences(self, user_id: int, preferences: Preferences) -> Preferences:
        """Store a user's language and time zone (validated by the caller); None clears one."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(language=preferences.language, time_zone=preferences.time_zone)
            )
            if result.rowcount == 0:
                raise AccessError(f"user: no user with id {user_id}")
        return preferences

    # -- API tokens --------------------------------------------------------------------------
    def create_token(
        self,
        name: str,
        *,
        user_id: int | None = None,
        secret: str | None = None,
        role: str = "admin",
        teams: tuple[str, ...] | list[str] = (),
        push_sources: tuple[str, ...] | list[str] | None = None,
        creator: Principal | None = None,
        actor: str = "cli",
    ) -> str:
        """Create a token and return it (shown once; only its hash is kept).

        With a ``creator`` (a person asking through the API), the token belongs to the creator's
        user and carries at most the creator's role and only teams the creator belongs to (an admin
        may give any team).

        ``push_sources`` are the sources it may write through the push API: ``push`` by default; a
        token of the operator's (no user, role admin: ``veille token create``) every source
        (``*``) by default. Only an admin may grant a source other than ``push``.
        """
        role = _checked_role(role)
        sources = None if push_sources is None else checked_push_sources(push_sources)
        if creator is not None:
            if not creator.may(role):
                raise Forbidden(
                    f"role: a token carries at most its creator's role ({creator.role}), not {role}",
                    field="role",
                )
            outside = sorted(set(teams) - set(creator.teams)) if not creator.admin else []
            if outside:
                raise Forbidden(f"teams: you are not in {', '.join(outside)}", field="teams")
            if sources is not None and set(sources) - {PUSH_SOURCE} and not creator.admin:
                raise Forbidden(
                    "push_sources: only an admin may let a token write sources other than push",
                    field="push_sources",
                )
            user_id = creator.user_id
            actor = creator.name
        if sources is None and user_id is None and role == "admin":
            sources = (ANY_SOURCE,)
        token = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            team_ids = _team_ids(connection, teams)
            result = connection.execute(
                insert(api_tokens).values(
                    name=name,
                    token_hash=_digest(token),
                    user_id=user_id,
                    created_us=now_us(),
                    role=role,
                    push_sources=None if sources is None or sources == (PUSH_SOURCE,) else list(sources),
                )
            )
            token_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            for team_id in team_ids:
                connection.execute(insert(api_token_teams).values(token_id=token_id, team_id=team_id))
            record_change(
                connection,
                actor=actor,
                action="create",
                object_kind="token",
                object_id=token_id,
                after={
                    "name": name,
                    "role": role,
                    "teams": sorted(teams),
                    "push_sources": list(sources or (PUSH_SOURCE,)),
                },
            )
        return token

    def ensure_token(self, name: str, secret: str) -> None:
        """Make ``secret`` the one valid token called ``name`` (the ``VEILLE_ADMIN_TOKEN`` seed).

        A rotated secret replaces the previous one: the old value stops working at the next start.
        """
        with self.engine.begin() as connection:
            known = connection.execute(
                select(api_tokens.c.id).where(api_tokens.c.token_hash == _digest(secret))
            ).first()
            if known is not None:
                return
            stale = [
                row.id
                for row in connection.execute(
                    select(api_tokens.c.id).where(api_tokens.c.name == name, api_tokens.c.user_id.is_(None))
                )
            ]
            if stale:
                connection.execute(delete(api_token_teams).where(api_token_teams.c.token_id.in_(stale)))
                connection.execute(delete(api_tokens).where(api_tokens.c.id.in_(stale)))
                record_change(
                    connection, actor="operator", action="rotate", object_kind="token", object_id=name
                )
        self.create_token(name, secret=secret, actor="operator")

    def list_tokens(self, *, user_id: int | None = None, everyone: bool = True) -> list[TokenInfo]:
        """Tokens (never their secrets): every token, or (``everyone=False``) those of ``user_id``."""
        query = (
            select(
                api_tokens.c.id,
                api_tokens.c.name,
                api_tokens.c.role,
                api_tokens.c.created_us,
                api_tokens.c.last_used_us,
                api_tokens.c.push_sources,
                users.c.username,
            )
            .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
            .order_by(api_tokens.c.id)
        )
        if not everyone:
            query = query.where(api_tokens.c.user_id == user_id)
        with self.engine.connect() as connection:
            return [
                TokenInfo(
                    id=row.id,
                    name=row.name,
                    role=row.role,
                    teams=tuple(scope.team for scope in _token_scopes(connection, row.id)),
                    user=row.username,
                    created_us=row.created_us,
                    last_used_us=row.last_used_us,
                    push_sources=_push_sources(row.push_sources),
                )
                for row in connection.execute(query)
            ]

    def revoke_token(self, token_id: int, *, by: Principal | None = None) -> None:
        """Revoke a token: an admin any, a user their own (another's is unknown to them: 404)."""
        with self.engine.begin() as connection:
            row = connection.execute(
                select(api_tokens.c.name, api_tokens.c.user_id).where(api_tokens.c.id == token_id)
            ).first()
            if row is None or (by is not None and not by.admin and row.user_id != by.user_id):
                raise NotFound(f"token: no token with id {token_id}", field="token_id")
            connection.execute(delete(api_token_teams).where(api_token_teams.c.token_id == token_id))
            connection.execute(delete(api_tokens).where(api_tokens.c.id == token_id))
            record_change(
                connection,
                actor="cli" if by is None else by.name,
                action="revoke",
                object_kind="token",
                object_id=token_id,
                before={"name": row.name},
            )

    def principal_for_token(self, token: str) -> Principal | None:
        digest = _digest(token)
        # A read only: authenticating must never wait on the database's write lock (a topic backfill
        # or an ingest batch holds it on SQLite), so the last-use bookkeeping is done apart.
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    api_tokens.c.id,
                    api_tokens.c.name,
                    api_tokens.c.user_id,
                    api_tokens.c.role,
                    api_tokens.c.last_used_us,
                    api_tokens.c.push_sources,
                    users.c.role.label("user_role"),
                    users.c.username,
                    users.c.language,
                    users.c.time_zone,
                )
                .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
                .where(api_tokens.c.token_hash == digest)
            ).first()
            if row is None:
                return None
            scopes = _token_scopes(connection, row.id)
            user_scopes = () if row.user_id is None else _user_scopes(connection, row.user_id)
            user_teams = {scope.team for scope in user_scopes}
        self._note_token_use(int(row.id), row.last_used_us)
        push_sources = _push_sources(row.push_sources)
        if row.user_id is None:
            return Principal(
                name=row.name,
                user_id=None,
                via="token",
                role=row.role,
                scopes=scopes,
                push_sources=push_sources,
            )
        # Never more than the user has now, whatever the token was given.
        role = row.role if role_at_least(row.user_role, row.role) else row.user_role
        if role != "admin":
            scopes = tuple(scope for scope in scopes if scope.team in user_teams) if scopes else user_scopes
        return Principal(
            name=row.name,
            user_id=row.user_id,
            via="token",
            role=role,
            language=row.language,
            time_zone=row.time_zone,
            scopes=scopes,
            push_sources=push_sources,
            username=row.username,
        )

    def _note_token_use(self, token_id: int, last_used_us: int | None) -> None:
        """Record when a token was last used, to the minute, without ever holding up the request.

        A client polling a job every 50 ms used to write this on every request: on SQLite each write
        queues on the single write lock behind a backfill's batches (and the backfill behind it), with
        the request waiting up to the 30 s busy timeout. Now the time is written at most once a
        minute per token, and only if the lock is free within a moment; otherwise it is skipped
        (the next request a minute later records it).
        """
        now = now_us()
        if last_used_us is not None and now - last_used_us < TOKEN_USE_RESOLUTION_US:
            return
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={_BOOKKEEPING_WAIT_MS}")
                else:
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{_BOOKKEEPING_WAIT_MS}ms'")
                try:
                    connection.execute(
                        update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_us=now)
                    )
                finally:
                    if connection.dialect.name == "sqlite":
                        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        except OperationalError:
            log.debug("token %s: last use not recorded (database busy)", token_id)

    # -- browser sessions --------------------------------------------------------------------
    def open_session(self, principal: Principal, *, days: int = 0, seconds: int = 0) -> str:
        """A new session id for ``principal``'s user, valid ``days`` plus ``seconds`` (a report's
        browser gets a session of a couple of minutes)."""
        if principal.user_id is None:
            raise AccessError("sessions are for users")
        lifetime_s = days * 86_400 + seconds
        if lifetime_s <= 0:
            raise AccessError("a session must last some time")
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(delete(sessions).where(sessions.c.expires_us < now_us()))
            connection.execute(
                insert(sessions).values(
                    id_hash=_digest(session_id),
                    user_id=principal.user_id,
                    expires_us=now_us() + lifetime_s * 1_000_000,
                    last_seen_us=now_us(),
                )
            )
        return session_id

    def principal_for_session(self, session_id: str) -> Principal | None:
        """The session's user, or ``None`` when it is unknown, expired or idle too long (then it is
        deleted). Its last use is written at most once a minute (a write per request would contend
        with the pipeline's writer on SQLite), which is fine against idle limits of minutes."""
        now = now_us()
        digest = _digest(session_id)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    users.c.id,
                    users.c.username,
                    users.c.role,
                    users.c.language,
                    users.c.time_zone,
                    sessions.c.last_seen_us,
                )
                .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
                .where(sessions.c.id_hash == digest, sessions.c.expires_us > now)
            ).first()
            if row is None:
                return None
            last_seen = row.last_seen_us
            idle_us = int(self.session_idle_s * 1_000_000)
            if idle_us and last_seen is not None and now - last_seen > idle_us:
                principal = None
            else:
                principal = _user_principal(connection, row, via="session")
        if principal is None:
            self.close_session(session_id)
        elif last_seen is None or now - last_seen > _LAST_SEEN_EVERY_US:
            with self.engine.begin() as connection:
                connection.execute(
                    update(sessions).where(sessions.c.id_hash == digest).values(last_seen_us=now)
                )
        return principal

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(sessions).where(sessions.c.id_hash == _digest(session_id)))


def _user_principal(connection: Connection, row: Any, *, via: str) -> Principal:
    return Principal(
        name=row.username,
        user_id=row.id,
        via=via,
        role=row.role,
        language=row.language,
        time_zone=row.time_zone,
        scopes=_user_scopes(connection, row.id),
        username=row.username,
    )


def _user_id(connection: Connection, name: str) -> int:
    found = connection.execute(select(users.c.id).where(users.c.username == name)).first()
    if found is None:
        raise NotFound(f"user: no user {name!r}", field="username")
    return int(found.id)


def _team_ids(connection: Connection, names: tuple[str, ...] | list[str]) -> list[int]:
    wanted = sorted(set(names))
    if not wanted:
        return []
    found = dict(connection.execute(select(teams.c.name, teams.c.id).where(teams.c.name.in_(wanted))).all())
    missing = [name for name in wanted if name not in found]
    if missing:
        raise AccessError(f"team: no team {', '.join(map(repr, missing))}", field="team")
    return [int(found[name]) for name in wanted]


def _scope_of(row: Any) -> TeamScope:
    return TeamScope(
        team=row.name,
        topics=_listed(row.scope_topics),
        countries=_listed(row.scope_countries),
        sources=_listed(row.scope_sources),
    )


_SCOPE_COLUMNS = (teams.c.name, teams.c.scope_topics, teams.c.scope_countries, teams.c.scope_sources)


def _scopes_through(connection: Connection, link: Any, member: Any, member_id: int) -> tuple[TeamScope, ...]:
    """The scopes of the teams ``link`` (a membership table) joins to ``member_id``, by team name."""
    rows = connection.execute(
        select(*_SCOPE_COLUMNS)
        .select_from(link.join(teams, teams.c.id == link.c.team_id))
        .where(member == member_id)
        .order_by(teams.c.name)
    ).all()
    return tuple(_scope_of(row) for row in rows)


def _user_scopes(connection: Connection, user_id: int) -> tuple[TeamScope, ...]:
    return _scopes_through(connection, team_members, team_members.c.user_id, user_id)


def _token_scopes(connection: Connection, token_id: int) -> tuple[TeamScope, ...]:
    return _scopes_through(connection, api_token_teams, api_token_teams.c.token_id, token_id)


def _teams_of_user(connection: Connection, user_id: int) -> tuple[str, ...]:
    return tuple(scope.team for scope in _user_scopes(connection, user_id))
