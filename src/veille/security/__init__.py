"""Security policies shared by every layer above: outbound requests (SSRF, sizes, time-outs) and
the password-hashing pool.

Bottom row of the layer contract: it imports only :mod:`veille.errors` (and libraries).
"""

from veille.security.outbound import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RESPONSE_S,
    LONG_LIVED,
    MIN_POLL_INTERVAL_S,
    GuardedTransport,
    OutboundPolicy,
    OutboundRefused,
    ResponseTooLarge,
)
from veille.security.passwords import PASSWORD_THREAD_PREFIX, PasswordPool, PasswordPoolBusy

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RESPONSE_S",
    "LONG_LIVED",
    "MIN_POLL_INTERVAL_S",
    "PASSWORD_THREAD_PREFIX",
    "GuardedTransport",
    "OutboundPolicy",
    "OutboundRefused",
    "PasswordPool",
    "PasswordPoolBusy",
    "ResponseTooLarge",
]
