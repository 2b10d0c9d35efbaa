"""Issue 14, item 5: every response carries the security headers; the CSP allows exactly the
inline scripts the pages hold (by hash); HSTS and Secure cookies only behind TLS."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from veille.settings import Settings
from veille.web.app import create_app
from veille.web.security_headers import inline_script_hashes

USER, PASSWORD = "tester", "correct horse battery"


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.hub.access.add_user(USER, PASSWORD, admin=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for the_client in _client(settings):
        yield the_client


@pytest.fixture
async def tls_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for the_client in _client(settings.model_copy(update={"behind_tls": True})):
        yield the_client


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


async def test_every_kind_of_answer_carries_the_headers(client: httpx.AsyncClient) -> None:
    assert (await client.post("/login", data={"username": USER, "password": PASSWORD})).status_code == 303
    answers = {
        "login page": await client.get("/login"),
        "wall page": await client.get("/wall"),
        "api": await client.get("/api/v1/me", headers={"X-Requested-With": "fetch"}),
        "static": await client.get("/static/veille.css"),
        "not found": await client.get("/no/such/page", headers={"Accept": "text/html"}),
        "health": await client.get("/healthz"),
        "refused body": await client.post("/api/v1/topics", content=b"[" * 100 + b"]" * 100),
    }
    for what, answer in answers.items():
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "same-origin", what
        assert headers["x-frame-options"] == "DENY", what
        assert "strict-transport-security" not in headers, what
        policy = _directives(headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"], what
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], what
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], what
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert answers["wall page"].status_code == 200


async def test_the_inline_scripts_of_the_pages_are_allowed_by_hash(client: httpx.AsyncClient) -> None:
    await client.post("/login", data={"username": USER, "password": PASSWORD})
    for path in ("/login", "/wall", "/sources", "/dashboards", "/docs"):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        hashes = inline_script_hashes(answer.text)
        assert hashes or path != "/login", "the import map is an inline script"
        allowed = _directives(answer.headers["content-security-policy"])["script-src"]
        assert set(hashes) <= set(allowed), path


async def test_behind_tls_hsts_is_sent_and_the_session_cookie_is_secure(
    tls_client: httpx.AsyncClient,
) -> None:
    answer = await tls_client.post("/login", data={"username": USER, "password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    cookie = answer.headers["set-cookie"]
    assert "veille_session=" in cookie.lower() or "session" in cookie.lower()
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


def _get_paths(routes: Any, prefix: str = "") -> set[str]:
    """Every GET path of ``routes``, through included routers (FastAPI) and mounts."""
    from starlette.routing import Mount, Route

    paths: set[str] = set()
    for route in routes:
        if isinstance(route, Route):
            if "GET" in (route.methods or set()):
                paths.add(prefix + route.path)
        elif isinstance(route, Mount):
            paths.add(prefix + route.path + "/veille.css" if route.path == "/static" else prefix + route.path)
        elif hasattr(route, "include_context"):
            context = route.include_context
            paths |= _get_paths(context.included_router.routes, prefix + context.prefix)
    return paths


async def test_every_route_of_the_app_answers_with_the_headers(settings: Settings) -> None:
    """Read from the app: every GET route (pages, API, static, docs), path parameters filled with a
    placeholder (a 404 answer must carry the headers too), over HTTP and over HTTPS (HSTS)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.hub.access.add_user(USER, PASSWORD, admin=True)
        paths = {re.sub(r"\{[^}]+\}", "1", path) for path in _get_paths(app.routes)}
        paths = {path for path in paths if not path.endswith("/stream")}  # never-ending event streams
        assert len(paths) > 40
        for scheme in ("http", "https"):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as client:
                await client.post("/login", data={"username": USER, "password": PASSWORD})
                for path in sorted(paths):
                    answer = await client.get(path, headers={"Accept": "text/html"})
                    headers = answer.headers
                    assert answer.status_code < 500, (path, answer.status_code)
                    policy = _directives(headers["content-security-policy"])
                    assert policy["frame-ancestors"] == ["'none'"], path
                    assert headers["x-frame-options"] == "DENY", path
                    assert headers["x-content-type-options"] == "nosniff", path
                    assert headers["referrer-policy"] == "same-origin", path
                    assert ("strict-transport-security" in headers) is (scheme == "https"), path
