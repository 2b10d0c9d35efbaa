"""A small bounded pool for password hashing, apart from the thread pool every request uses.

argon2 is slow on purpose (tens of milliseconds of CPU and 46 MiB per check, on one core). Run in the default
thread pool, a flood of wrong sign-ins fills it and every database read of the API waits behind
them (a 32-way flood took a token-authenticated read from 9 ms to 10 s). Here hashing gets its own
threads (``workers``, half the CPUs, at least one), and at most ``max_waiting`` checks may wait for
them: beyond that a sign-in is refused at once with :class:`PasswordPoolBusy` (503) instead of
queueing without bound. The API's reads never share a thread with a hash.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

from argon2 import PasswordHasher

from veille.errors import Unavailable

__all__ = ["PASSWORD_THREAD_PREFIX", "PasswordPool", "PasswordPoolBusy", "password_hasher"]

# argon2id as OWASP's Password Storage Cheat Sheet recommends (m=46 MiB, t=1, p=1). One lane: a
# hash uses one core, never all of them (argon2-cffi's default, p=4, runs four threads per hash and
# took both cores of a small server from the API's reads during a login flood); and a quarter of
# the default's work (64 MiB x 3 passes). Hashes made with other parameters still verify, and are
# rehashed with these at the user's next sign-in.
ARGON2_MEMORY_KIB: Final = 47_104
ARGON2_TIME_COST: Final = 1
ARGON2_PARALLELISM: Final = 1


def password_hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
    )


T = TypeVar("T")
PASSWORD_THREAD_PREFIX: Final = "veille-password"


class PasswordPoolBusy(Unavailable):
    """Too many sign-ins wait already: refused at once (try again in a moment)."""


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class PasswordPool:
    """Runs password hashes on ``workers`` dedicated threads, with at most ``max_waiting`` queued."""

    def __init__(self, *, workers: int | None = None, max_waiting: int = 64) -> None:
        self.workers = workers or _default_workers()
        self.max_waiting = max_waiting
        self._executor: ThreadPoolExecutor | None = None  # threads start with the first hash
        self._in_flight = 0  # counted on the event loop's thread only

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.workers, thread_name_prefix=PASSWORD_THREAD_PREFIX
            )
        return self._executor

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` on a hashing thread; :class:`PasswordPoolBusy` when too many already wait."""
        if self._in_flight >= self.workers + self.max_waiting:
            raise PasswordPoolBusy("too many sign-ins at once: try again in a moment", field="password")
        self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool(), work)
        finally:
            self._in_flight -= 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
