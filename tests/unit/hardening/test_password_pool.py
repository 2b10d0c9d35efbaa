"""Fault 6 of issue 18: password hashing has its own small, bounded pool."""

from __future__ import annotations

import asyncio
import threading

import pytest

from veille.security import PASSWORD_THREAD_PREFIX, PasswordPool, PasswordPoolBusy


async def test_hashes_run_on_their_own_bounded_threads() -> None:
    pool = PasswordPool(workers=2, max_waiting=8)
    names: set[str] = set()
    release = threading.Event()

    def work() -> None:
        names.add(threading.current_thread().name)
        release.wait(30)

    tasks = [asyncio.create_task(pool.run(work)) for _ in range(10)]
    while pool.in_flight < 10:
        await asyncio.sleep(0.01)
    # The eleventh waits for nobody: refused at once.
    with pytest.raises(PasswordPoolBusy):
        await pool.run(work)
    release.set()
    await asyncio.gather(*tasks)
    assert len(names) == 2 and all(name.startswith(PASSWORD_THREAD_PREFIX) for name in names)
    assert pool.in_flight == 0
    pool.close()
