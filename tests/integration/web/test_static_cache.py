"""Static files at their versioned address are kept by browsers (a dashboard opened again loads its
40-odd modules without a request each); every page addresses them there, the import map included;
the plain ``/static/…`` address still answers, without that promise; the version follows the files."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from veille.settings import Settings
from veille.web.app import create_app
from veille.web.assets import static_prefix, static_version

USER, PASSWORD = "tester", "correct horse battery"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.hub.access.add_user(USER, PASSWORD, admin=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as the_client:
            login = await the_client.post("/login", data={"username": USER, "password": PASSWORD})
            assert login.status_code == 303
            yield the_client


async def test_the_versioned_address_is_cached_and_every_page_uses_it(client: httpx.AsyncClient) -> None:
    prefix = static_prefix()
    assert prefix.startswith("/static/v/") and len(prefix) > len("/static/v/")
    page = await client.get("/dashboards")
    assert page.status_code == 200
    assert f'"veille/": "{prefix}/lib/"' in page.text and f'"echarts": "{prefix}/vendor/' in page.text
    assert f'src="{prefix}/dashboards/list.js"' in page.text
    assert not re.search(r'"/static/(?!v/)', page.text)  # nothing left at the plain address
    for path in ("/lib/widgets/trends.js", "/vendor/echarts/echarts.esm.min.js", "/veille.css"):
        kept = await client.get(prefix + path)
        assert kept.status_code == 200, path
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable", path
        plain = await client.get("/static" + path)
        assert plain.status_code == 200 and plain.content == kept.content
        assert "immutable" not in plain.headers.get("cache-control", "")
    missing = await client.get(prefix + "/lib/no-such-module.js")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    assert (await client.get("/static/v/000000000000/veille.css")).status_code == 404


def test_the_version_follows_the_files(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    module = tmp_path / "lib" / "a.js"
    module.write_text("export const a = 1;\n")
    first = static_version(tmp_path)
    assert static_version(tmp_path) == first
    module.write_text("export const a = 22;\n")
    second = static_version(tmp_path)
    assert second != first
    os.utime(module, ns=(1, 1))
    assert static_version(tmp_path) not in (first, second)
    (tmp_path / "b.css").write_text("")
    assert len({first, second, static_version(tmp_path)}) == 3
