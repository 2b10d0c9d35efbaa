"""Issue 14, item 5: sign-ins are rate limited per client address and locked out per user name.

A flood of wrong passwords from one client is throttled (429 with Retry-After) while a token read
from another client keeps answering 200; a right password after the lock-out ends is accepted. The
throttle's clock is moved forward by the test (no sleeps); only status codes are asserted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from veille.settings import Settings
from veille.store.audit import read_audit
from veille.web.app import create_app

USER, PASSWORD = "alice", "correct horse battery"
FLOOD = 24
Clients = Callable[[str], httpx.AsyncClient]


class StillClock:
    """Time stands still unless the test moves ``offset`` (a busy machine's slow hashes refill nothing)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return 1_800_000_000.0 + self.offset

    def monotonic(self) -> float:
        return 1_000.0 + self.offset

    async def sleep(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock() -> StillClock:
    return StillClock()


@pytest.fixture
async def app(settings: Settings, clock: StillClock) -> AsyncIterator[FastAPI]:
    the_app = create_app(settings, clock=clock)
    async with the_app.router.lifespan_context(the_app):
        the_app.state.hub.access.add_user(USER, PASSWORD)
        yield the_app


@pytest.fixture
def client_at(app: FastAPI) -> Clients:
    """A client of the app seen from ``address`` (the throttle counts per client address)."""

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50_000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    return make


def _login(password: str = "wrong", username: str = USER) -> dict[str, str]:
    return {"username": username, "password": password}


async def test_a_flood_from_one_client_is_throttled_while_token_reads_go_on(
    app: FastAPI, client_at: Clients, clock: StillClock
) -> None:
    settings: Settings = app.state.settings
    token = app.state.hub.access.create_token("reader")
    burst = settings.login_address_burst
    async with client_at("203.0.113.7") as flooder, client_at("198.51.100.2") as reader:
        statuses = []
        for number in range(FLOOD):
            # Many user names: the address's bucket, not a user's lock-out, stops this flood.
            answer = await flooder.post("/login", data=_login(username=f"guess{number}"))
            statuses.append(answer.status_code)
            read = await reader.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert read.status_code == 200, read.text
        assert statuses[:burst] == [401] * burst
        assert statuses[-1] == 429
        assert statuses.count(429) >= FLOOD - burst
        refused = await flooder.post("/login", data=_login(PASSWORD))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        # Another client signs in meanwhile: only the flooding address is throttled.
        assert (await reader.post("/login", data=_login(PASSWORD))).status_code == 303
        clock.offset += 600  # the bucket refills
        assert (await flooder.post("/login", data=_login(PASSWORD))).status_code == 303


async def test_wrong_passwords_lock_the_user_name_then_a_right_one_works_after_the_lock(
    app: FastAPI, client_at: Clients, clock: StillClock
) -> None:
    settings: Settings = app.state.settings
    async with client_at("192.0.2.10") as client, client_at("192.0.2.11") as other:
        for _ in range(settings.login_failures - 1):
            assert (await client.post("/login", data=_login())).status_code == 401
        locked = await client.post("/login", data=_login())
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) == int(settings.login_lockout_s)
        assert "Too many sign-in attempts" in locked.text
        # Locked: even the right password, even from another address, is refused until it ends.
        assert (await client.post("/login", data=_login(PASSWORD))).status_code == 429
        assert (await other.post("/login", data=_login(PASSWORD))).status_code == 429
        clock.offset += settings.login_lockout_s + 1
        signed_in = await client.post("/login", data=_login(PASSWORD))
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/wall"
    entries = read_audit(app.state.hub.store, object_kind="login")
    assert [(entry.action, entry.object_id) for entry in entries] == [("lockout", USER)]


async def test_repeated_lockouts_grow(app: FastAPI, client_at: Clients, clock: StillClock) -> None:
    settings: Settings = app.state.settings
    lengths = []
    async with client_at("192.0.2.20") as client:
        for _ in range(3):
            answer = None
            for _ in range(settings.login_failures):
                answer = await client.post("/login", data=_login())
            assert answer is not None and answer.status_code == 429
            lengths.append(int(answer.headers["Retry-After"]))
            clock.offset += lengths[-1] + 600  # past the lock, and the bucket refilled
    assert lengths == [int(settings.login_lockout_s * 2**n) for n in range(3)]


async def test_the_lockout_page_is_french_for_a_french_reader(app: FastAPI, client_at: Clients) -> None:
    settings: Settings = app.state.settings
    async with client_at("192.0.2.30") as client:
        answer = None
        for _ in range(settings.login_failures):
            answer = await client.post("/login", data=_login(), headers={"Accept-Language": "fr"})
        assert answer is not None and answer.status_code == 429
        assert "Trop de tentatives de connexion" in answer.text
