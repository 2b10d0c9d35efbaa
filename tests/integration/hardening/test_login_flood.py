"""Fault 6 of issue 18: a flood of wrong sign-ins does not hold the API's reads. Structural proof,
no timing goal (that is ``veille bench login_flood``): token reads complete while hashes are queued
on the password pool, and every hash ran on that pool's threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveHub, serve_hub
from veille.security import PASSWORD_THREAD_PREFIX
from veille.settings import Settings


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    # The login throttle (issue 14) would answer this flood 429 before any hash: lifted here, so
    # that the hashes reach the pool this test is about.
    unthrottled = settings.model_copy(update={"login_address_burst": 1_000_000, "login_failures": 1_000_000})
    with serve_hub(unthrottled) as hub:
        yield hub


def test_token_reads_go_on_while_a_login_flood_queues(live: LiveHub, monkeypatch: pytest.MonkeyPatch) -> None:
    access = live.hub.access
    pool = access.passwords
    hashed_on: set[str] = set()
    real_verify = access._verify

    def recording_verify(row: Any, password: str) -> Any:
        hashed_on.add(threading.current_thread().name)
        return real_verify(row, password)

    monkeypatch.setattr(access, "_verify", recording_verify)
    stop = threading.Event()
    statuses: list[int] = []

    def flood() -> None:
        with httpx.Client(base_url=live.base_url, timeout=20) as client:
            while not stop.is_set():
                try:
                    answer = client.post(
                        "/login", data={"username": live.username, "password": "wrong password"}
                    )
                except httpx.TimeoutException:
                    continue  # a sign-in may wait long behind the others on a busy machine: that is the point
                statuses.append(answer.status_code)

    flooders = [threading.Thread(target=flood, daemon=True) for _ in range(32)]
    for thread in flooders:
        thread.start()
    reads_while_queued = 0
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=60) as api:
            while reads_while_queued < 5 and time.monotonic() < deadline:
                queued_before = pool.in_flight > pool.workers
                answer = api.get("/api/v1/me")
                assert answer.status_code == 200, answer.text
                if queued_before and pool.in_flight > pool.workers:
                    reads_while_queued += 1  # the read was served while hashes waited
                time.sleep(0.02)
    finally:
        stop.set()
        for thread in flooders:
            thread.join(timeout=60)
    assert reads_while_queued >= 5, "the flood never queued on the password pool"
    assert hashed_on and all(name.startswith(PASSWORD_THREAD_PREFIX) for name in hashed_on)
    assert len(hashed_on) <= pool.workers
    assert set(statuses) <= {401, 503}  # wrong passwords; 503 once the bounded queue is full


async def test_a_flood_is_throttled_before_any_hash(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the throttle on (the default), a flood from one address costs at most its burst of
    hashes: every later attempt is a 429 answered without touching argon2. The throttle's clock
    stands still (a slow machine's hashes would otherwise refill the bucket as they go)."""
    from veille.web.app import create_app

    class StillClock:
        def time(self) -> float:
            return 1_800_000_000.0

        def monotonic(self) -> float:
            return 1_000.0

        async def sleep(self, seconds: float) -> None:
            return None

    app = create_app(settings, clock=StillClock())
    async with app.router.lifespan_context(app):
        access = app.state.hub.access
        access.add_user("victim", "correct horse battery")
        hashes = 0
        real_verify = access._verify

        def counting_verify(row: Any, password: str) -> Any:
            nonlocal hashes
            hashes += 1
            return real_verify(row, password)

        monkeypatch.setattr(access, "_verify", counting_verify)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as flooder:
            statuses = [
                (
                    await flooder.post("/login", data={"username": f"guess{n}", "password": "wrong"})
                ).status_code
                for n in range(32)
            ]
    burst = settings.login_address_burst
    assert hashes <= burst
    assert statuses[:hashes] == [401] * hashes
    assert set(statuses[burst:]) == {429}
