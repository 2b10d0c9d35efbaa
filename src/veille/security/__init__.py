"""Security policies shared by every layer above: outbound requests (SSRF, sizes, time-outs), the
password-hashing pool, secrets at rest and credentials in addresses.

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
from veille.security.passwords import PASSWORD_THREAD_PREFIX, PasswordPool, PasswordPoolBusy, password_hasher
from veille.security.secrets import (
    ENCRYPTED_KEY,
    SECRET_KEY_VARIABLE,
    SecretBox,
    SecretKeyError,
    key_file_for,
    mask_url,
    mask_urls_in,
    private_path,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RESPONSE_S",
    "ENCRYPTED_KEY",
    "LONG_LIVED",
    "MIN_POLL_INTERVAL_S",
    "PASSWORD_THREAD_PREFIX",
    "SECRET_KEY_VARIABLE",
    "GuardedTransport",
    "OutboundPolicy",
    "OutboundRefused",
    "PasswordPool",
    "PasswordPoolBusy",
    "ResponseTooLarge",
    "SecretBox",
    "SecretKeyError",
    "key_file_for",
    "mask_url",
    "mask_urls_in",
    "password_hasher",
    "private_path",
]
