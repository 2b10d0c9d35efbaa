"""Who may use the hub: users (argon2-hashed passwords), API tokens and browser sessions.

Tokens and session ids are long random strings; only their SHA-256 is stored, so a stolen
database does not give access. Passwords, which people choose, are hashed with argon2.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import OperationalError

from veille.clock import now_us
from veille.errors import Invalid
from veille.security import PasswordPool
from veille.store.dialects import SQLITE_BUSY_TIMEOUT_MS
from veille.store.schema import api_tokens, sessions, users
from veille.store.sql import SqlStore

__all__ = ["AccessError", "Preferences", "Principal", "UserAccess"]

TOKEN_PREFIX = "vt_"
# A token's last use is recorded to the minute, waiting at most this long for the write lock.
TOKEN_USE_RESOLUTION_US = 60_000_000
_BOOKKEEPING_WAIT_MS = 200
log = logging.getLogger(__name__)
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


class AccessError(Invalid):
    """A refused user, password or token (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user (by session or their token) or a named API token."""

    name: str
    user_id: int | None
    via: str  # "session" or "token"
    # A user's rights and preferences, read with the session or token (no extra query per page).
    # A token without a user has every right today (roles come with teams); it has no preferences.
    admin: bool = False
    language: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user chose for the pages: ``language`` ("en", "fr") and IANA ``time_zone``; None: the browser's."""

    language: str | None = None
    time_zone: str | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class UserAccess:
    def __init__(self, store: SqlStore, *, passwords: PasswordPool | None = None) -> None:
        self.engine = store.engine
        self._hasher = PasswordHasher()
        # Sign-ins hash on their own bounded threads, never in the pool the API's reads use.
        self.passwords = passwords or PasswordPool()

    # -- users -------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, *, admin: bool = False) -> int:
        name = username.strip().lower()
        if not name or not set(name) <= _USERNAME_CHARS:
            raise AccessError("username: use letters, digits and . _ - @ only")
        if len(password) < 8:
            raise AccessError("password: at least 8 characters")
        with self.engine.begin() as connection:
            exists = connection.execute(select(users.c.id).where(users.c.username == name)).first()
            if exists:
                raise AccessError(f"username: {name!r} already exists")
            result = connection.execute(
                insert(users).values(
                    username=name,
                    password_hash=self._hasher.hash(password),
                    is_admin=admin,
                    created_us=now_us(),
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def set_password(self, username: str, password: str) -> None:
        if len(password) < 8:
            raise AccessError("password: at least 8 characters")
        with self.engine.begin() as connection:
            result = connection.execute(
                update(users)
                .where(users.c.username == username.strip().lower())
                .values(password_hash=self._hasher.hash(password))
            )
            if result.rowcount == 0:
                raise AccessError(f"username: no user {username!r}")

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
                    users.c.is_admin,
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
        return _user_principal(row, via="session")

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
    def create_token(self, name: str, *, user_id: int | None = None, secret: str | None = None) -> str:
        """Create a token and return it (shown once; only its hash is kept)."""
        token = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    name=name, token_hash=_digest(token), user_id=user_id, created_us=now_us()
                )
            )
        return token

    def ensure_token(self, name: str, secret: str) -> None:
        """Make ``secret`` a valid token (the ``VEILLE_ADMIN_TOKEN`` seed); idempotent."""
        with self.engine.connect() as connection:
            known = connection.execute(
                select(api_tokens.c.id).where(api_tokens.c.token_hash == _digest(secret))
            ).first()
        if known is None:
            self.create_token(name, secret=secret)

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
                    api_tokens.c.last_used_us,
                    users.c.is_admin,
                    users.c.language,
                    users.c.time_zone,
                )
                .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
                .where(api_tokens.c.token_hash == digest)
            ).first()
        if row is None:
            return None
        self._note_token_use(int(row.id), row.last_used_us)
        if row.user_id is None:
            return Principal(name=row.name, user_id=None, via="token", admin=True)
        return Principal(
            name=row.name,
            user_id=row.user_id,
            via="token",
            admin=bool(row.is_admin),
            language=row.language,
            time_zone=row.time_zone,
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
                )
            )
        return session_id

    def principal_for_session(self, session_id: str) -> Principal | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users.c.id, users.c.username, users.c.is_admin, users.c.language, users.c.time_zone)
                .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
                .where(sessions.c.id_hash == _digest(session_id), sessions.c.expires_us > now_us())
            ).first()
        return None if row is None else _user_principal(row, via="session")

    def close_session(self, session_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(sessions).where(sessions.c.id_hash == _digest(session_id)))


def _user_principal(row: Any, *, via: str) -> Principal:
    return Principal(
        name=row.username,
        user_id=row.id,
        via=via,
        admin=bool(row.is_admin),
        language=row.language,
        time_zone=row.time_zone,
    )
