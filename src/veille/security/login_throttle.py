"""Login rate limiting and temporary lock-out (issue 14, item 5), kept in memory per process.

Two guards answer before any password is hashed:

- **per user name**: ``failures`` wrong passwords within ``window_s`` lock that name for
  ``lockout_s``; each further lock-out of the same name doubles the time, up to ``lockout_max_s``.
  A right password clears the name's failures and its lock-out history.
- **per client address**: a token bucket of ``address_burst`` attempts refilled at
  ``address_per_minute``; every attempt (right or wrong) takes one token.

The state lives in this process only: with several hub processes behind a load balancer each keeps
its own counts (an attacker spread over N processes gets N times the attempts), and a restart
forgets them. The tables are bounded: idle entries are dropped once they hold nothing useful.
Time comes from an injected :class:`veille.clock.Clock` (monotonic), so tests never sleep.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from veille.clock import Clock, SystemClock

__all__ = ["Lockout", "LoginLimits", "LoginThrottle"]

# Past this many tracked names or addresses, idle entries are swept (bounded memory under a spray).
_SWEEP_ABOVE = 10_000


@dataclass(frozen=True, slots=True)
class LoginLimits:
    failures: int = 5
    window_s: float = 900.0
    lockout_s: float = 60.0
    lockout_max_s: float = 3600.0
    address_per_minute: float = 30.0
    address_burst: int = 10


@dataclass(frozen=True, slots=True)
class Lockout:
    """Why an attempt is refused now and for how long (whole seconds, for ``Retry-After``)."""

    reason: str  # "user" or "address"
    retry_after_s: int


@dataclass(slots=True)
class _UserState:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lockouts: int = 0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class LoginThrottle:
    """Thread-safe counters; the web layer asks :meth:`check` before a sign-in and reports after."""

    def __init__(self, limits: LoginLimits | None = None, *, clock: Clock | None = None) -> None:
        self.limits = limits or LoginLimits()
        self.clock: Clock = clock or SystemClock()
        self._users: dict[str, _UserState] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str) -> str:
        return username.strip().casefold()

    def check(self, *, username: str, address: str) -> Lockout | None:
        """Take one attempt from the address's bucket; ``None`` when the attempt may go on."""
        now = self.clock.monotonic()
        limits = self.limits
        with self._lock:
            state = self._users.get(self._key(username))
            if state is not None and state.locked_until > now:
                return Lockout("user", max(1, math.ceil(state.locked_until - now)))
            bucket = self._buckets.get(address)
            if bucket is None:
                if len(self._buckets) > _SWEEP_ABOVE:
                    self._sweep(now)
                bucket = self._buckets[address] = _Bucket(float(limits.address_burst), now)
            rate = limits.address_per_minute / 60.0
            bucket.tokens = min(float(limits.address_burst), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens < 1.0:
                wait = (1.0 - bucket.tokens) / rate if rate > 0 else limits.lockout_max_s
                return Lockout("address", max(1, math.ceil(wait)))
            bucket.tokens -= 1.0
            return None

    def failed(self, *, username: str) -> float | None:
        """Count a wrong password; the lock-out's length in seconds when this failure starts one."""
        now = self.clock.monotonic()
        limits = self.limits
        with self._lock:
            key = self._key(username)
            state = self._users.get(key)
            if state is None:
                if len(self._users) > _SWEEP_ABOVE:
                    self._sweep(now)
                state = self._users[key] = _UserState()
            while state.failures and state.failures[0] <= now - limits.window_s:
                state.failures.popleft()
            state.failures.append(now)
            if len(state.failures) < limits.failures:
                return None
            state.failures.clear()
            length = min(limits.lockout_max_s, limits.lockout_s * 2**state.lockouts)
            state.lockouts += 1
            state.locked_until = now + length
            return length

    def succeeded(self, *, username: str) -> None:
        with self._lock:
            self._users.pop(self._key(username), None)

    def _sweep(self, now: float) -> None:
        """Drop names with nothing recent and addresses whose bucket is full again."""
        horizon = now - max(self.limits.window_s, self.limits.lockout_max_s)
        for key in [
            key
            for key, state in self._users.items()
            if state.locked_until <= now and (not state.failures or state.failures[-1] <= horizon)
        ]:
            del self._users[key]
        rate = self.limits.address_per_minute / 60.0
        for address in [
            address
            for address, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * rate >= self.limits.address_burst
        ]:
            del self._buckets[address]
