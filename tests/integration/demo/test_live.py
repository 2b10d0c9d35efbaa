"""`veille demo --live`: the Bluesky Jetstream source of the demo, against the fake Jetstream (the
endpoint is overridden: tests never use the network)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.integration.sources.helpers import wait_for
from veille.demo.live import JETSTREAM_URL, LIVE_SOURCE_NAME, live_demo_table, with_source_tables
from veille.hub import Hub
from veille.model import Post
from veille.query import Query, parse_query
from veille.settings import Settings

RELEVANT = "Encore une coupure de la fibre ce matin"
UNRELATED = "Just a photo of my cat sleeping"


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_live_table_follows_public_jetstream_with_the_demo_vocabulary() -> None:
    table = live_demo_table()
    assert table["type"] == "bluesky" and table["endpoint"] == JETSTREAM_URL
    assert "app_password" not in table and "identifier" not in table  # no credentials needed
    assert {"fibre", "wifi", "NovaBox", "Nova Telecom"} <= set(table["keywords"])
    assert "TV" not in table["keywords"]  # too short: it would match half the network
    assert table["default_to_topics"] is True


class _Topics:
    """Two saved topics, as the hub's topics would give them."""

    def __init__(self) -> None:
        self.queries: dict[str, Query] = {"cats": parse_query("cat OR cats"), "dogs": parse_query("dog")}

    def resolve(self, name: str) -> Query | None:
        return self.queries.get(name)

    def matches_any(self, post: Post) -> bool:
        from veille.query import match

        return any(match(query, post) for query in self.queries.values())

    def count(self) -> int:
        return len(self.queries)


async def test_live_source_keeps_the_demo_words_or_the_hub_topics(
    settings: Settings, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    events = [make_post_event(3_000_001, RELEVANT), make_post_event(3_000_002, UNRELATED)]
    fake.scripts = [[("event", event) for event in events], [("event", event) for event in events]]
    live_settings = with_source_tables(settings, [live_demo_table(f"{server.ws_url}/subscribe")])

    async def stored_texts(hub: Hub) -> list[str]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and hub.store.get_checkpoint(LIVE_SOURCE_NAME) != "3000002":
            await asyncio.sleep(0.05)
        return sorted(stored.post.text for stored in hub.store.posts_after(0))

    # No topics: the demo taxonomy's words decide.
    hub = Hub.build(live_settings)
    await hub.start()
    try:
        assert hub.source_manager is not None
        assert hub.source_manager.get(LIVE_SOURCE_NAME).filter_mode == "source"
        assert await stored_texts(hub) == [RELEVANT]
    finally:
        await hub.stop()

    # Topics available: they replace the words (the cat post matches the "cats" topic).
    other = settings.model_copy(update={"data_dir": settings.data_dir.parent / "second"})
    hub = Hub.build(with_source_tables(other, [live_demo_table(f"{server.ws_url}/subscribe")]))
    assert hub.source_manager is not None
    hub.source_manager.topics = _Topics()
    await hub.start()
    try:
        assert hub.source_manager.get(LIVE_SOURCE_NAME).filter_mode == "topics"
        assert hub.source_manager.get(LIVE_SOURCE_NAME).masked_config()["keywords"] == []
        assert await stored_texts(hub) == [UNRELATED]
    finally:
        await hub.stop()


def _start_demo(data: Path, port: int, endpoint: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "veille", "demo", "--live", "--live-endpoint", endpoint]
    return subprocess.Popen(
        [*command, "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def _token(data: Path) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "veille", "token", "create", "tests", "--data", str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip()


def test_demo_live_command_stores_real_time_posts(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    fake.scripts = [[("sleep", 1.0), ("event", make_post_event(4_000_001, RELEVANT))]]
    data = tmp_path / "data"
    token = _token(data)
    port = _free_port()
    process = _start_demo(data, port, f"{server.ws_url}/subscribe")
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ) as api:

            def posts() -> list[str] | None:
                try:
                    items = api.get("/api/v1/posts").json()["items"]
                except httpx.TransportError:
                    return None
                return [item["text"] for item in items]

            assert wait_for(posts, timeout_s=30, what="the live post") == [RELEVANT]
            view = api.get(f"/api/v1/sources/{LIVE_SOURCE_NAME}").json()
            assert view["health"]["connected"] is True and view["origin"] == "config"
            assert "simulator" not in api.get("/metrics").text  # --live replaces the simulator
    finally:
        output = _stop(process)
    assert "live: Bluesky Jetstream at ws://127.0.0.1" in output
