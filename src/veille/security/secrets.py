"""Secrets at rest and credentials in addresses.

:class:`SecretBox` encrypts the secrets the hub keeps in its database (the secret fields of the
sources added through the API) with Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``). The key is
never in the database, so a copy of the database (a backup, a stolen file) does not give the
credentials. Where the key comes from, first found:

1. ``VEILLE_SECRET_KEY`` (a Fernet key: 32 bytes, URL-safe base64) — for several processes sharing
   one PostgreSQL store, or a secrets manager;
2. the key file beside the data folder, ``<data folder>.key`` (``veille-data.key`` next to
   ``veille-data/``), created on first use with mode 0600. It is kept *outside* the data folder so
   that copying the data folder alone does not copy the key.

A stored secret is ``{"$encrypted": "<token>"}``; :meth:`SecretBox.reveal` reads it back (and reads a
value stored in clear before this version as it is, so the hub can encrypt it again).

:func:`mask_url` hides credentials written inside an address (``https://user:pass@host``,
``?token=…``): every place that shows a URL (the API, the CLI, logs, ``last_error``) masks it.

:func:`private_path` makes the data folder 0700 and the SQLite database 0600.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken

from veille.errors import Invalid

__all__ = [
    "ENCRYPTED_KEY",
    "SECRET_KEY_VARIABLE",
    "SecretBox",
    "SecretKeyError",
    "key_file_for",
    "mask_url",
    "mask_urls_in",
    "private_path",
]

ENCRYPTED_KEY: Final = "$encrypted"
SECRET_KEY_VARIABLE: Final = "VEILLE_SECRET_KEY"
_MASK: Final = "***"
# Query parameters that carry credentials in the wild (feeds with ?token=, APIs with ?key=).
_SECRET_PARAMS: Final = re.compile(
    r"^(?:.*token.*|.*secret.*|.*passw(?:or)?d.*|api[_-]?key|key|apikey|auth|authorization|sig|signature|"
    r"access[_-]?key|client[_-]?secret|session|sid|code)$",
    re.IGNORECASE,
)
_URL_IN_TEXT: Final = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>]+")


class SecretKeyError(Invalid):
    """The secret key is missing or unusable (the message says where it was looked for)."""


def key_file_for(data_dir: Path) -> Path:
    """Where the key file of a data folder lives: beside it, ``<folder>.key``."""
    resolved = data_dir.resolve()
    return resolved.parent / f"{resolved.name}.key"


class SecretBox:
    """Encrypts and decrypts the secrets the hub stores (see the module docstring)."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise SecretKeyError(
                "secret key: expected a Fernet key (32 bytes, URL-safe base64)", field="secret_key"
            ) from None

    @classmethod
    def for_data_dir(cls, data_dir: Path, *, environ: Mapping[str, str] | None = None) -> SecretBox:
        """The box of a hub: ``VEILLE_SECRET_KEY``, else the key file beside ``data_dir`` (created 0600)."""
        environ = os.environ if environ is None else environ
        given = environ.get(SECRET_KEY_VARIABLE, "").strip()
        if given:
            return cls(given.encode())
        path = key_file_for(data_dir)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Fernet.generate_key()
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process created it first: read theirs
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key + b"\n")
        private_path(path, 0o600)
        return cls(path.read_bytes().strip())

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, value: str) -> dict[str, str]:
        """``value`` encrypted, in the stored form ``{"$encrypted": token}``."""
        return {ENCRYPTED_KEY: self._fernet.encrypt(value.encode()).decode()}

    def seal_text(self, value: str) -> str:
        """``value`` encrypted and authenticated, as one URL-safe string (a cookie's value)."""
        return self._fernet.encrypt(value.encode()).decode()

    def open_text(self, token: str, *, max_age_s: int) -> str | None:
        """The clear text of :meth:`seal_text`, or None when forged, sealed with another key or older
        than ``max_age_s``."""
        try:
            return self._fernet.decrypt(token.encode(), ttl=max_age_s).decode()
        except (InvalidToken, ValueError):
            return None

    @staticmethod
    def is_sealed(value: Any) -> bool:
        return isinstance(value, Mapping) and set(value) == {ENCRYPTED_KEY}

    def reveal(self, stored: Any) -> Any:
        """The clear value of a stored secret (a value stored in clear is returned as it is)."""
        if not self.is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(str(stored[ENCRYPTED_KEY]).encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with this key (was VEILLE_SECRET_KEY or the key "
                "file changed?)",
                field="secret_key",
            ) from None


def mask_url(url: str) -> str:
    """``url`` with its password and credential-like query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{_MASK}@{host}" if ":" in userinfo else f"{_MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAMS.match(key) for key, _ in pairs):
            query = urlencode(
                [(key, _MASK if _SECRET_PARAMS.match(key) else value) for key, value in pairs], safe="*"
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def mask_urls_in(text: str) -> str:
    """Every URL inside a sentence masked (error messages, log lines)."""
    return _URL_IN_TEXT.sub(lambda match: mask_url(match.group(0)), text)


def private_path(path: Path, mode: int) -> None:
    """Set ``mode`` on ``path`` when it exists and is ours (a folder 0700, a file 0600)."""
    try:
        if path.exists() and path.stat().st_uid == os.getuid() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError:
        pass  # a read-only mount or another owner: not ours to change
