"""What a connector raises, placed in the hub's error tree (:mod:`veille.errors`).

::

    VeilleError
    ├── ConnectorError                      base of every connector error
    │   ├── ConnectorConfigError  (Invalid)  fatal: a field is wrong, or the platform refused a request
    │   │   └── CredentialsError             the platform refused the credentials (401/403)
    │   ├── RateLimitedError  (Unavailable)  HTTP 429: wait until ``retry_at``
    │   ├── ServerError       (Unavailable)  HTTP 5xx (or 408): back off, retry
    │   └── StallError        (Unavailable)  nothing arrived within the stall timeout: reconnect

``Connector.supervise`` stops on a :class:`ConnectorConfigError` (never a retry loop) and retries
the others. A config error carries the ``field`` it names when there is one; it is also a
``ValueError`` (through :class:`~veille.errors.Invalid`), so ``except ValueError`` callers keep working.
"""

from __future__ import annotations

from veille.errors import Invalid, Unavailable, VeilleError

__all__ = [
    "ConnectorConfigError",
    "ConnectorError",
    "CredentialsError",
    "RateLimitedError",
    "ServerError",
    "StallError",
]


class ConnectorError(VeilleError):
    """Base of the errors a connector raises."""


class ConnectorConfigError(ConnectorError, Invalid):
    """The configuration is wrong (missing field, bad type, unknown channel...): fatal, not retried."""


class CredentialsError(ConnectorConfigError):
    """The platform refused the credentials (401/403): the connector stops with this message."""


class RateLimitedError(ConnectorError, Unavailable):
    """HTTP 429: ``retry_at`` is the platform's reset time (epoch seconds) when it sent one."""

    def __init__(self, message: str, *, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ServerError(ConnectorError, Unavailable):
    """HTTP 5xx or another retryable HTTP status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class StallError(ConnectorError, Unavailable):
    """No byte (not even a heartbeat) arrived within the stall timeout: reconnect."""
