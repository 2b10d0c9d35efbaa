"""Authenticating with an API token never waits on the database's write lock (the backfill test's
flake: each poll of a job wrote the token's last use, queuing on SQLite's single writer behind the
backfill's batches), and the last use is recorded to the minute, not on every request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text

from tests.support.live_server import LiveHub


@contextmanager
def _write_lock_held(live: LiveHub) -> Iterator[None]:
    """Another connection holds the lock a token's last-use write needs, until the block ends."""
    store = live.hub.store
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's one write lock
        else:
            connection.execute(text("BEGIN"))
            connection.execute(text("SELECT id FROM api_tokens FOR UPDATE"))  # the rows it updates
        try:
            yield
        finally:
            connection.exec_driver_sql("ROLLBACK")


def _last_used(live: LiveHub) -> Any:
    return live.hub.store.execute_text("SELECT last_used_us FROM api_tokens")[0]["last_used_us"]


def test_token_authentication_does_not_wait_for_writers(live: LiveHub) -> None:
    access = live.hub.access
    assert _last_used(live) is None
    answered: list[Any] = []
    with _write_lock_held(live):
        worker = threading.Thread(target=lambda: answered.append(access.principal_for_token(live.token)))
        worker.start()
        # Generous: without the fix it waits the 30 s busy timeout, then fails "database is locked".
        worker.join(timeout=20)
        still_locked = worker.is_alive()
    worker.join()
    assert not still_locked, "authentication waited for the write lock"
    assert answered and answered[0] is not None and answered[0].name == "tests"
    assert _last_used(live) is None  # skipped while the database was busy
    assert access.principal_for_token(live.token) is not None
    recorded = _last_used(live)
    assert recorded is not None
    assert access.principal_for_token(live.token) is not None
    assert _last_used(live) == recorded  # recorded to the minute: no write per request
    assert access.principal_for_token("vt_not-a-token") is None
