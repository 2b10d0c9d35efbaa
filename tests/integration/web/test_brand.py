"""Organisation colours and logo (issue 12, item 6): set in [hub], shown on every page and wall,
refused with a clear message when they are not what the pages can use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from veille.settings import Settings, SettingsError, load_settings
from veille.web.app import create_app
from veille.web.brand import brand_stylesheet

USER, PASSWORD = "tester", "correct horse battery"
LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#e4002b"/></svg>'


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.hub.access.add_user(USER, PASSWORD, admin=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (
                await client.post("/login", data={"username": USER, "password": PASSWORD})
            ).status_code == 303
            yield client


@pytest.fixture
async def branded(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    look = {
        "brand_colour": "#e4002b",
        "brand_colour_2": "#ffd100",
        "brand_logo": logo,
        "organisation_name": "Acmé",
    }
    async for client in _client(settings.model_copy(update=look)):
        yield client


@pytest.fixture
async def plain(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(settings):
        yield client


async def test_pages_link_the_colours_and_walls_show_the_logo(branded: httpx.AsyncClient) -> None:
    for path in ("/dashboards", "/explore", "/wall", "/login"):
        page = (await branded.get(path)).text
        assert '<link rel="stylesheet" href="/brand.css?v=' in page, path
    css = await branded.get("/brand.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent: #e4002b; --accent-2: #ffd100; --accent-ink: #ffffff;" in css.text
    wall = (await branded.get("/wall")).text
    assert '<img class="wall-logo" src="/brand/logo?v=' in wall and 'alt="Acmé"' in wall
    logo = await branded.get("/brand/logo")
    assert logo.status_code == 200 and logo.content == LOGO
    assert logo.headers["content-type"] == "image/svg+xml"
    # An SVG is a document: served with a policy that runs nothing, whatever the file holds.
    assert "sandbox" in logo.headers["content-security-policy"]
    assert "script-src" not in logo.headers["content-security-policy"]


async def test_the_logo_appears_once_on_a_video_wall(branded: httpx.AsyncClient) -> None:
    wall = {
        "name": "Room",
        "screens": {"columns": 3, "rows": 2},
        "scenes": [
            {
                "name": "main",
                "duration_s": 60,
                "widgets": [{"type": "clock", "x": 0, "y": 0, "w": 12, "h": 12}],
            }
        ],
    }
    created = await branded.post("/api/v1/walls", json=wall, headers={"X-Requested-With": "fetch"})
    assert created.status_code == 201, created.text
    wall_id = created.json()["id"]
    shown = [
        'class="wall-logo"' in (await branded.get(f"/walls/{wall_id}?screen={screen}")).text
        for screen in range(1, 7)
    ]
    assert shown == [False, False, False, False, False, True]
    assert 'class="wall-logo"' in (await branded.get(f"/walls/{wall_id}")).text


async def test_without_settings_nothing_changes(plain: httpx.AsyncClient) -> None:
    page = (await plain.get("/wall")).text
    assert "/brand.css" not in page and "wall-logo" not in page
    assert (await plain.get("/brand.css")).text == ""
    missing = await plain.get("/brand/logo")
    assert missing.status_code == 404 and "brand_logo" in missing.text


def test_dark_colours_get_white_ink_and_light_colours_dark_ink(settings: Settings) -> None:
    assert "--accent-ink: #04111d;" in brand_stylesheet(
        settings.model_copy(update={"brand_colour": "#ffd100"})
    )
    assert "--accent-ink: #ffffff;" in brand_stylesheet(
        settings.model_copy(update={"brand_colour": "#1d3557"})
    )


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("brand_colour", "red", "'red' is not a colour written #rrggbb"),
        ("brand_colour_2", "#12345", "'#12345' is not a colour written #rrggbb"),
        ("brand_logo", "/no/such/logo.png", "no such file"),
        ("brand_logo", "logo.gif", "not an image the pages can show"),
    ],
)
def test_bad_settings_name_the_key_and_what_is_wrong(setting: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**{setting: value})
    assert str(refused.value).startswith(f"{setting}:") and message in str(refused.value)


def test_a_logo_over_1_mib_is_refused(tmp_path: Path) -> None:
    logo = tmp_path / "huge.png"
    logo.write_bytes(b"\0" * (1024 * 1024 + 1))
    with pytest.raises(SettingsError, match="larger than 1 MiB"):
        load_settings(brand_logo=logo)
