"""Issue 14, item 5: the login form refuses a post from another site (Origin check), and a browser
session left idle longer than ``session_idle_minutes`` ends (its last use is moved back in the
database rather than waited for)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from veille.clock import now_us
from veille.settings import Settings
from veille.store.schema import sessions
from veille.web.app import create_app

USER, PASSWORD = "tester", "correct horse battery"
LOGIN = {"username": USER, "password": PASSWORD}


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    the_app = create_app(settings.model_copy(update={"session_idle_minutes": 30}))
    async with the_app.router.lifespan_context(the_app):
        the_app.state.hub.access.add_user(USER, PASSWORD, admin=True)
        yield the_app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as the_client:
        yield the_client


async def test_a_login_posted_from_another_site_is_refused(client: httpx.AsyncClient) -> None:
    for origin in ("https://evil.example", "http://testserver.evil.example", "null"):
        answer = await client.post("/login", data=LOGIN, headers={"Origin": origin})
        assert answer.status_code == 403, origin
        assert "veille_session" not in answer.headers.get("set-cookie", "")
    same_site = await client.post("/login", data=LOGIN, headers={"Origin": "http://testserver"})
    assert same_site.status_code == 303
    client.cookies.clear()
    assert (await client.post("/login", data=LOGIN)).status_code == 303  # no Origin: older clients


async def test_an_idle_session_ends_and_a_used_one_goes_on(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.post("/login", data=LOGIN)).status_code == 303
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    store = app.state.hub.store

    def last_used(minutes_ago: int) -> None:
        with store.engine.begin() as connection:
            connection.execute(update(sessions).values(last_seen_us=now_us() - minutes_ago * 60_000_000))

    last_used(29)  # within the idle limit: the session goes on, and its use is noted
    assert (await client.get("/api/v1/me")).status_code == 200
    with store.engine.connect() as connection:
        seen = connection.execute(sessions.select()).one().last_seen_us
    assert now_us() - seen < 60_000_000
    last_used(31)  # past it: the session is over, and gone from the table
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.get("/wall")).status_code in (303, 307)
    with store.engine.connect() as connection:
        assert connection.execute(sessions.select()).all() == []
