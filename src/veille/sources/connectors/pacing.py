"""Pacing: when to reconnect after a failure, and when a platform's rate-limit window allows a call.

:class:`ReconnectPolicy` is the reconnect policy of ``shared/reference/connectors.md`` §0.4
(network errors, HTTP 5xx, HTTP 429, each with its own backoff); :func:`parse_rate_limit` reads the
rate-limit headers of X, Mastodon and Bluesky (and ``Retry-After``) into a :class:`RateLimitState`
that ``Connector.request`` waits on before the next call of the same bucket.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RateLimitState", "ReconnectPolicy", "parse_rate_limit"]


@dataclass(slots=True)
class ReconnectPolicy:
    """The reconnect policy of ``shared/reference/connectors.md`` §0.4 with jitter.

    A plain full-jitter backoff (a draw in ``[ceiling/2, ceiling]``) would cut the documented
    minimum waits in half (X's guide: a good client never sees a second 429), so the waits here are
    the documented ones times ``1 ± jitter`` — and never shorter than a platform's reset time.
    """

    network_step_s: float = 0.25
    network_max_s: float = 16.0
    http_start_s: float = 5.0
    http_max_s: float = 320.0
    rate_start_s: float = 60.0
    rate_max_s: float = 900.0
    rate_floor_s: float = 1.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random)
    _network_attempts: int = 0
    _http_attempts: int = 0
    _rate_attempts: int = 0

    def _jittered(self, seconds: float) -> float:
        return max(0.0, seconds * (1 + self.rng.uniform(-self.jitter, self.jitter)))

    def after_network_error(self) -> float:
        """Reconnect at once, then +250 ms per attempt, capped at 16 s."""
        delay = min(self.network_max_s, self.network_step_s * self._network_attempts)
        self._network_attempts += 1
        return self._jittered(delay)

    def after_http_error(self) -> float:
        """5 s, 10 s, 20 s... capped at 320 s."""
        delay = min(self.http_max_s, self.http_start_s * 2**self._http_attempts)
        self._http_attempts += 1
        return self._jittered(delay)

    def after_rate_limit(self, retry_at: float | None, now: float) -> float:
        """Until the reset time (plus up to ``jitter`` late), else 60 s, 120 s... capped."""
        self._rate_attempts += 1
        if retry_at is not None:
            wait = max(retry_at - now, self.rate_floor_s)
            return wait * (1 + self.rng.uniform(0, self.jitter))
        delay = min(self.rate_max_s, self.rate_start_s * 2 ** (self._rate_attempts - 1))
        return self._jittered(delay)

    def reset(self) -> None:
        """After a successful connection (tweepy ``_connect``)."""
        self._network_attempts = self._http_attempts = self._rate_attempts = 0


@dataclass(slots=True)
class RateLimitState:
    """What the last response said about the rate-limit window."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # epoch seconds


def _parse_reset(value: str, now: float) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        # Epoch seconds (X, Bluesky's xrpc server, GoToSocial) or, under the IETF draft, seconds left.
        return number if number > 1e9 else now + number
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_rate_limit(headers: Mapping[str, str], now: float) -> RateLimitState | None:
    """Read X (``x-rate-limit-*``), Mastodon (``X-RateLimit-*``, ISO 8601 reset) and Bluesky
    (``RateLimit-*``) headers; also ``Retry-After``. ``None`` when the response carries none."""
    lowered = {key.lower(): value for key, value in headers.items()}
    state = RateLimitState()
    found = False
    for prefix in ("x-rate-limit-", "x-ratelimit-", "ratelimit-"):
        if prefix + "remaining" in lowered or prefix + "reset" in lowered:
            found = True
            with contextlib.suppress(ValueError):
                state.limit = int(float(lowered.get(prefix + "limit", "")))
            with contextlib.suppress(ValueError):
                state.remaining = int(float(lowered.get(prefix + "remaining", "")))
            if prefix + "reset" in lowered:
                state.reset_at = _parse_reset(lowered[prefix + "reset"], now)
            break
    retry_after = lowered.get("retry-after")
    if retry_after:
        found = True
        retry_at = (
            _parse_reset(retry_after, now) if not retry_after.strip().isdigit() else now + int(retry_after)
        )
        if retry_at is not None:
            state.reset_at = max(state.reset_at or 0.0, retry_at)
    return state if found else None
