"""Security policies shared by every layer above: outbound requests (SSRF, sizes, time-outs).

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

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RESPONSE_S",
    "LONG_LIVED",
    "MIN_POLL_INTERVAL_S",
    "GuardedTransport",
    "OutboundPolicy",
    "OutboundRefused",
    "ResponseTooLarge",
]
