"""A small bounded pool for password hashing, apart from the thread pool every request uses.

argon2 is slow on purpose (tens of milliseconds of CPU and 64 MiB per check). Run in the default
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

from veille.errors import Unavailable

__all__ = ["PASSWORD_THREAD_PREFIX", "PasswordPool", "PasswordPoolBusy"]

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
