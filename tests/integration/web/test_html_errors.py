"""Error answers: HTML pages for a person in a browser, JSON for the API, whatever the path asks.

The app is the real one (create_app over a real hub); a few routes are added for the cases no page
has yet (a page that needs a login through its dependency, a message quoting the request, a bug).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from veille.settings import Settings
from veille.web.app import create_app
from veille.web.assets import static_prefix
from veille.web.deps import CurrentPrincipal
from veille.web.html_errors import ERROR_TEXTS, wants_html

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
HOSTILE = '<img src=x onerror=alert(1)> & "quotes"'


def _with_test_routes(app: FastAPI) -> FastAPI:
    @app.get("/test/needs-login")
    async def needs_login(_principal: CurrentPrincipal) -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/test/refused")
    async def refused() -> None:
        raise HTTPException(422, f"name: {HOSTILE} is not a name")

    @app.get("/test/bug")
    async def bug() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/api/v1/test-bug")
    async def api_bug() -> None:
        raise RuntimeError("secret internals")

    return app


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = _with_test_routes(create_app(settings))
    # The app's own lifespan starts and stops the hub, as uvicorn would.
    async with app.router.lifespan_context(app):
        app.state.hub.access.add_user("tester", "correct horse battery", admin=True)
        # raise_app_exceptions=False: the bug route's exception reaches the server, as in production,
        # and the test reads what the browser got.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
            yield test_client


def _is_html(response: object) -> bool:
    return str(getattr(response, "headers", {}).get("content-type", "")).startswith("text/html")


async def test_unknown_browser_path_is_a_404_page_with_the_path_escaped(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/<b>page</b>", headers=BROWSER)
    assert response.status_code == 404 and _is_html(response)
    assert f'<h1 class="error-page__title">{ERROR_TEXTS[404].title}</h1>' in response.text
    assert "<code>/no/such/&lt;b&gt;page&lt;/b&gt;</code>" in response.text
    assert "<b>page</b>" not in response.text
    # The page is a Veille page: the import map and the base styles are there.
    assert '<script type="importmap">' in response.text and f"{static_prefix()}/veille.css" in response.text


async def test_api_and_operations_paths_answer_json_even_to_a_browser(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/no-such-route", "/api/nothing", "/api"):
        response = await client.get(path, headers=BROWSER)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json", path
        assert response.json() == {"detail": "Not Found", "field": None}, path
    for path in ("/metrics", "/openapi.json", "/api/v1/posts"):
        response = await client.get(path, headers=BROWSER)
        assert response.status_code == 401, path
        assert response.headers["content-type"] == "application/json", path
        assert "location" not in response.headers, path
    assert (await client.get("/healthz", headers=BROWSER)).json()["status"] == "ok"


async def test_clients_that_do_not_ask_for_html_keep_json(client: httpx.AsyncClient) -> None:
    for accept in ("*/*", "application/json", "text/html;q=0", "text/plain"):
        response = await client.get("/no/such/page", headers={"Accept": accept})
        assert response.status_code == 404, accept
        assert response.json() == {"detail": "Not Found", "field": None}, accept
    response = await client.get("/test/needs-login", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json()["detail"].startswith("authentication required")


async def test_401_on_a_browser_page_sends_to_the_login_page_and_back(client: httpx.AsyncClient) -> None:
    response = await client.get("/test/needs-login?theme=light&title=a%20b", headers=BROWSER)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/test/needs-login%3Ftheme%3Dlight%26title%3Da%2520b"
    login = await client.post(
        "/login",
        data={"username": "tester", "password": "correct horse battery", "next": "/test/needs-login"},
        headers=BROWSER,
    )
    assert login.status_code == 303 and login.headers["location"] == "/test/needs-login"
    assert (await client.get("/test/needs-login", headers=BROWSER)).json() == {"ok": "yes"}


async def test_the_login_pages_own_401_is_left_alone(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/login", data={"username": "tester", "password": "nope"}, headers=BROWSER)
    assert wrong.status_code == 401 and _is_html(wrong)
    assert "Unknown user or wrong password." in wrong.text and "location" not in wrong.headers


async def test_422_page_shows_the_message_escaped(client: httpx.AsyncClient) -> None:
    response = await client.get("/test/refused", headers=BROWSER)
    assert response.status_code == 422 and _is_html(response)
    assert ERROR_TEXTS[422].title in response.text
    assert "name: &lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34; is not a name" in response.text
    assert "<img" not in response.text.split("<main", 1)[1]


async def test_422_from_validation_names_the_parameter(client: httpx.AsyncClient) -> None:
    await client.post("/login", data={"username": "tester", "password": "correct horse battery"})
    response = await client.get("/wall?theme=blue", headers=BROWSER)
    assert response.status_code == 422 and _is_html(response)
    assert "theme: Input should be &#39;dark&#39; or &#39;light&#39;" in response.text
    # A form missing its fields: the page names them.
    form = await client.post("/login", data={"username": "tester"}, headers=BROWSER)
    assert form.status_code == 422 and _is_html(form)
    assert "password: Field required" in form.text


async def test_an_unhandled_error_is_a_sober_500_page_that_leaks_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/test/bug", headers=BROWSER)
    assert response.status_code == 500 and _is_html(response)
    assert ERROR_TEXTS[500].title in response.text
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    api = await client.get("/api/v1/test-bug", headers=BROWSER)
    assert api.status_code == 500 and not _is_html(api)


async def test_method_not_allowed_on_a_page_is_a_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/logout", headers=BROWSER)
    assert response.status_code == 405 and _is_html(response)
    assert ERROR_TEXTS[405].title in response.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html", True),
        ("TEXT/HTML; charset=utf-8", True),
        ("application/json, text/html;q=0.5", True),
        ("text/html;q=0", False),
        ("text/html;q=nonsense", False),
        ("*/*", False),
        ("text/*", False),
        ("application/xhtml+xml", False),
        ("", False),
    ],
)
def test_wants_html_reads_the_accept_header(accept: str, expected: bool) -> None:
    assert wants_html(accept) is expected
