"""HTTP while the hub stops: a clear 503 that says nothing was stored, never a request left hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.posts import post_json
from veille.hub import Hub
from veille.settings import Settings
from veille.web.app import create_app
from veille.web.deps import CurrentHub


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[Hub]:
    the_hub = Hub.build(settings, stages=[])
    await the_hub.start()
    yield the_hub
    await the_hub.stop()


async def test_a_push_to_a_stopped_hub_is_refused_with_503(hub: Hub) -> None:
    token = hub.access.create_token("tests")
    app = create_app(hub.settings, hub=hub)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=30) as client:
        headers = {"Authorization": f"Bearer {token}"}
        accepted = await client.post("/api/v1/posts", json=[post_json(1)], headers=headers)
        assert accepted.status_code == 200
        await hub.stop()
        refused = await client.post("/api/v1/posts", json=[post_json(2)], headers=headers)
    assert refused.status_code == 503
    assert "shutting down" in refused.json()["detail"]
    assert refused.headers["retry-after"] and refused.headers["connection"] == "close"


async def test_a_request_that_reaches_the_pipeline_after_the_stop_began_gets_503(hub: Hub) -> None:
    app = create_app(hub.settings, hub=hub)
    entered, release = asyncio.Event(), asyncio.Event()

    @app.post("/race")
    async def race(current: CurrentHub) -> dict[str, int]:
        """Admitted while the hub ran, it submits only once the stop has begun."""
        entered.set()
        await release.wait()
        stored = await current.pipeline.submit([])
        return {"stored": len(stored)}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=30) as client:
        request = asyncio.create_task(client.post("/race"))
        await entered.wait()
        stopping = asyncio.create_task(hub.stop())
        while not hub.stopping:
            await asyncio.sleep(0.01)
        release.set()
        response = await request
        await stopping
    assert response.status_code == 503, response.text
    assert "nothing was stored" in response.json()["detail"]
