"""One error tree for every domain, mapped to HTTP statuses in one place (the web app).

::

    VeilleError(message, field=None, column=None)
    ├── Invalid        422  the input is refused; ``field`` names what is wrong (``column``: where, 1-based)
    │   └── TooLarge   413  the input is over a size limit
    ├── Forbidden      403  the caller's role or teams do not allow it; the message names what is missing
    ├── NotFound       404  no such object
    ├── Conflict       409  the change collides with what exists (a taken name, a running job)
    └── Unavailable    503  a service the hub needs does not answer

Domain errors subclass these (``TopicNotFound(TopicError, NotFound)``), so the web layer needs no
per-router mapping and a message always names the field. ``Invalid`` is also a ``ValueError`` and
``NotFound`` a ``LookupError``, so code that catches the built-in kinds keeps working. An error may
narrow its status with a ``status_code`` (the push body: 400 unreadable, 413 too large).

:func:`validation_message` and :func:`invalid_from` turn a pydantic ``ValidationError`` into the
same ``field: what is wrong`` sentences, for the domains' specs and the API's request bodies alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

__all__ = [
    "Conflict",
    "Forbidden",
    "Invalid",
    "NotFound",
    "TooLarge",
    "Unavailable",
    "VeilleError",
    "error_body",
    "http_status",
    "invalid_from",
    "validation_field",
    "validation_message",
]


class VeilleError(Exception):
    """Base of every error the hub reports to a person: the message names the field.

    ``str(error)`` is the whole sentence shown to people; ``message`` is the same unless a subclass
    keeps a shorter form (a query error's message without its column).
    """

    status_code: int | None = None

    def __init__(self, message: str, *, field: str | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.column = column

    def __str__(self) -> str:  # LookupError/KeyError subclasses would quote the message
        return str(self.args[0]) if self.args else ""


class Invalid(VeilleError, ValueError):
    """The input is refused (HTTP 422)."""


class TooLarge(Invalid):
    """The input is over a size limit (HTTP 413)."""

    status_code = 413


class Forbidden(VeilleError):
    """The caller may not do this (HTTP 403); the message names the role or team that is missing."""


class NotFound(VeilleError, LookupError):
    """No such object (HTTP 404)."""


class Conflict(VeilleError):
    """The change collides with what exists (HTTP 409)."""


class Unavailable(VeilleError):
    """A service the hub needs does not answer (HTTP 503)."""


def http_status(error: VeilleError) -> int:
    """The HTTP status of an error; the most specific kind wins (a ``NotFound`` that is also ``Invalid``: 404)."""
    if error.status_code is not None:
        return error.status_code
    kinds = ((NotFound, 404), (Forbidden, 403), (Conflict, 409), (Unavailable, 503), (Invalid, 422))
    for kind, status in kinds:
        if isinstance(error, kind):
            return status
    return 500


def error_body(error: VeilleError) -> dict[str, Any]:
    """The JSON body of an error answer: ``{"detail", "field"}`` and ``column`` when known."""
    body: dict[str, Any] = {"detail": str(error), "field": error.field}
    if error.column is not None:
        body["column"] = error.column
    return body


# -- pydantic validation errors ------------------------------------------------------------------


def _where(item: Mapping[str, Any], skip: int) -> str:
    return ".".join(str(part) for part in tuple(item.get("loc", ()))[skip:])


def _sentence(item: Mapping[str, Any], where: str) -> str:
    message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
    if not where or message.startswith(f"{where}:"):
        return message
    return f"{where}: {message}"


def validation_message(
    error: ValidationError | Iterable[Mapping[str, Any]], prefix: str = "", *, skip: int = 0
) -> str:
    """``field: what is wrong`` for each problem, joined with ``; `` (``skip``: leading parts of
    each location to leave out, such as the ``body`` of a request)."""
    items = error.errors() if isinstance(error, ValidationError) else error
    return prefix + "; ".join(_sentence(item, _where(item, skip)) for item in items)


def validation_field(error: ValidationError | Iterable[Mapping[str, Any]], *, skip: int = 0) -> str | None:
    """The dotted location of the first problem (``business_hours.timezone``), if any."""
    items = error.errors() if isinstance(error, ValidationError) else error
    for item in items:
        return _where(item, skip) or None
    return None


def invalid_from(error: ValidationError, kind: type[Invalid] = Invalid, prefix: str = "") -> Invalid:
    """A pydantic error as ``kind`` (an :class:`Invalid`) naming the first field at fault."""
    return kind(validation_message(error, prefix), field=validation_field(error))
