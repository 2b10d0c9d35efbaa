"""One error tree for every domain, mapped to HTTP statuses in one place (the web app).

::

    VeilleError(message, field=None, column=None)
    ├── Invalid        422  the input is refused; ``field`` names what is wrong (``column``: where, 1-based)
    ├── NotFound       404  no such object
    ├── Conflict       409  the change collides with what exists (a taken name, a running job)
    └── Unavailable    503  a service the hub needs does not answer

Domain errors subclass these (``TopicNotFound(TopicError, NotFound)``), so the web layer needs no
per-router mapping and a message always names the field. ``Invalid`` is also a ``ValueError`` and
``NotFound`` a ``LookupError``, so code that catches the built-in kinds keeps working.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Conflict", "Invalid", "NotFound", "Unavailable", "VeilleError", "error_body", "http_status"]


class VeilleError(Exception):
    """Base of every error the hub reports to a person: the message names the field."""

    def __init__(self, message: str, *, field: str | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.column = column

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class Invalid(VeilleError, ValueError):
    """The input is refused (HTTP 422)."""


class NotFound(VeilleError, LookupError):
    """No such object (HTTP 404)."""

    def __str__(self) -> str:  # LookupError/KeyError would quote the message
        return self.message


class Conflict(VeilleError):
    """The change collides with what exists (HTTP 409)."""


class Unavailable(VeilleError):
    """A service the hub needs does not answer (HTTP 503)."""


def http_status(error: VeilleError) -> int:
    """The HTTP status of an error; the most specific kind wins (a ``NotFound`` that is also ``Invalid``: 404)."""
    for kind, status in ((NotFound, 404), (Conflict, 409), (Unavailable, 503), (Invalid, 422)):
        if isinstance(error, kind):
            return status
    return 500


def error_body(error: VeilleError) -> dict[str, Any]:
    """The JSON body of an error answer: ``{"detail", "field"}`` and ``column`` when known."""
    body: dict[str, Any] = {"detail": error.message, "field": error.field}
    if error.column is not None:
        body["column"] = error.column
    return body
