"""Fault 3 of issue 18 through the hub: a source cannot make the hub fetch internal addresses (at
once for a literal address, on every redirect hop for a feed), poll_interval_s has a floor, and a
source's last_error never carries a response body. Only listeners on 127.0.0.1 are contacted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes import LocalServer
from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings

INTERNAL_PAGE = "internal-admin-page-do-not-leak"


def _internal_app() -> Starlette:
    async def redirect(request: Request) -> Response:
        return RedirectResponse("http://169.254.169.254/latest/meta-data/iam/", status_code=302)

    async def to_other_loopback(request: Request) -> Response:
        return RedirectResponse("http://127.0.0.2:9/secret", status_code=302)

    async def broken(request: Request) -> Response:
        return PlainTextResponse(INTERNAL_PAGE, status_code=404)

    return Starlette(
        routes=[Route("/redirect", redirect), Route("/other", to_other_loopback), Route("/broken", broken)]
    )


@pytest.fixture
def internal() -> Iterator[LocalServer]:
    with LocalServer(_internal_app()) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_with_toml(tmp_path, "")


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(settings) as hub:
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as client:
        yield client


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"type": "rss", "feeds": ["http://169.254.169.254/latest/meta-data/"]}, "feeds"),
        ({"type": "rss", "feeds": ["http://10.0.0.5/feed.xml"]}, "feeds"),
        ({"type": "hackernews", "endpoint": "http://[::1]:8000"}, "endpoint"),
        ({"type": "hackernews", "endpoint": "http://0.0.0.0:8000"}, "endpoint"),
        (
            {"type": "hackernews", "endpoint": "http://127.0.0.2:8000"},
            "endpoint",
        ),  # 127.0.0.1 only is allowed
    ],
)
def test_literal_internal_addresses_are_refused_when_added(
    api: httpx.Client, table: dict[str, object], field: str
) -> None:
    answer = api.post("/api/v1/sources", json={**table, "name": "probe"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert "the hub does not send requests there" in answer.json()["detail"]


@pytest.mark.parametrize("interval", [0, -5])
def test_poll_interval_zero_or_negative_is_refused(api: httpx.Client, interval: float) -> None:
    answer = api.post(
        "/api/v1/sources",
        json={"type": "rss", "name": "fast", "feeds": ["http://127.0.0.1:9/f"], "poll_interval_s": interval},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "poll_interval_s"


@pytest.mark.parametrize("path", ["/redirect", "/other"])
def test_redirect_to_an_internal_address_is_not_followed(
    api: httpx.Client, internal: LocalServer, path: str
) -> None:
    added = api.post("/api/v1/sources", json={"type": "rss", "name": "hop", "feeds": [internal.url + path]})
    assert added.status_code == 201, added.text

    def refused() -> str | None:
        error = source_view(api, "hop")["health"]["last_error"]
        return error if error and "the hub does not send requests there" in error else None

    error = wait_for(refused, timeout_s=20, what="the redirect refused")
    assert "169.254.169.254" in error or "127.0.0.2" in error


def test_last_error_carries_no_response_body(api: httpx.Client, internal: LocalServer) -> None:
    added = api.post(
        "/api/v1/sources", json={"type": "hackernews", "name": "hn", "endpoint": internal.url + "/broken"}
    )
    assert added.status_code == 201, added.text
    error = wait_for(lambda: source_view(api, "hn")["health"]["last_error"], timeout_s=20, what="an error")
    assert "HTTP 404" in error
    assert INTERNAL_PAGE not in api.get("/api/v1/sources").text
