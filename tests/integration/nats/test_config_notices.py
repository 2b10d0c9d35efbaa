"""Configuration changed through one process's API reaches another process at once through the
``config.changed`` notices on the machine's real NATS JetStream (issue 15, item 4), with PostgreSQL
shared. Polling is set to an hour: only the notices can carry the changes within the deadline."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from typer.testing import CliRunner

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky
from tests.integration.nats.test_nats_bus import NATS_URL, nats_reachable  # noqa: F401 (fixture)
from tests.support.live_server import serve_hub
from veille.cli import build_app
from veille.hub import Hub
from veille.settings import Settings

pytestmark = [pytest.mark.nats, pytest.mark.postgres]


@pytest.fixture
async def cluster_settings(
    nats_reachable: None,  # noqa: F811
    postgres_url: str,
    tmp_path: Path,
) -> AsyncIterator[tuple[Settings, Settings]]:
    token = uuid.uuid4().hex[:10]
    common = {
        "bus": "nats",
        "nats_url": NATS_URL,
        "nats_stream": f"CONF_{token}",
        "nats_subject_prefix": f"conf{token}",
        "source_lease_bucket": f"leases_{token}",
        "database_url": postgres_url.replace("postgresql+psycopg", "postgresql"),
        "config_poll_s": 3600.0,
        "topics_poll_s": 3600.0,
        "outbound_allow": ["127.0.0.1"],
    }
    made = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir(mode=0o700)
        made.append(Settings(data_dir=folder, **common))
    yield made[0], made[1]
    connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=1)
    js = connection.jetstream()
    try:
        for delete, name in (
            (js.delete_stream, common["nats_stream"]),
            (js.delete_key_value, common["source_lease_bucket"]),
        ):
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await delete(name)
    finally:
        await connection.close()


@pytest.fixture
def bluesky() -> Iterator[LocalServer]:
    with LocalServer(FakeBluesky().app) as server:
        yield server


async def _until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_rules_sources_and_topics_changed_through_one_api_reach_the_other_process(
    cluster_settings: tuple[Settings, Settings], bluesky: LocalServer
) -> None:
    settings_a, settings_b = cluster_settings
    other = Hub.build(settings_b)
    await other.start()
    try:
        # A serves the API and screens only (as in docs/deployment.md); B is a worker.
        with serve_hub(settings_a.model_copy(update={"pipeline": "off"})) as served:
            async with httpx.AsyncClient(base_url=served.base_url, headers=served.auth_headers) as api:
                assert other.alerts is not None and other.source_manager is not None
                rules = lambda: {rule.key for rule in other.alerts.engine.rules}  # noqa: E731

                created = await api.post(
                    "/api/v1/alerts/rules",
                    json={"name": "wifi spike", "kind": "volume_spike", "query": "wifi", "window_s": 600},
                )
                assert created.status_code == 201, created.text
                rule_id = created.json()["id"]
                await _until(lambda: rule_id in rules(), "the rule in the other process's engine")
                deleted = await api.delete(f"/api/v1/alerts/rules/{rule_id}")
                assert deleted.status_code == 204
                await _until(lambda: rule_id not in rules(), "the rule gone from the other process's engine")

                topic = await api.post("/api/v1/topics", json={"name": "fibre_talk", "query": "fibre"})
                assert topic.status_code == 201, topic.text
                await _until(lambda: "fibre_talk" in other.topics.names(), "the topic in the other process")

                source = await api.post(
                    "/api/v1/sources",
                    json={"type": "bluesky", "name": "bsky-api", "endpoint": f"{bluesky.ws_url}/subscribe"},
                )
                assert source.status_code == 201, source.text
                manager_b = other.source_manager
                await _until(lambda: "bsky-api" in manager_b.names(), "the source known to the other process")
                # Known to both, run by the one that holds the lease (B: A runs no source).
                running = lambda: [  # noqa: E731
                    hub for hub in (served.hub, other) if "bsky-api" in hub.pipeline.running_sources
                ]
                await _until(lambda: len(running()) == 1, "the source running in exactly one process")
                runner = running()[0]
                assert runner is other
                assert runner.source_manager is not None and runner.source_manager.leases is not None
                owner = runner.source_manager.leases.owner
                deadline = asyncio.get_running_loop().time() + 30
                while True:  # the answering process learns the holder at its next lease round
                    lease = (await api.get("/api/v1/sources/bsky-api")).json()["lease"]
                    # A answers: it runs no source but reads who holds each lease.
                    if lease["holder"] == owner or asyncio.get_running_loop().time() > deadline:
                        break
                    await asyncio.sleep(0.2)
                assert lease["holder"] == owner
                assert lease["here"] is False
                assert lease["expires_at"] > 0
                removed = await api.delete("/api/v1/sources/bsky-api")
                assert removed.status_code == 204, removed.text
                await _until(
                    lambda: "bsky-api" not in manager_b.names(), "the source removed in the other process"
                )
                await _until(lambda: not running(), "the source running nowhere")
        assert other.config is not None and other.config.reloads["alert_rule"] >= 2
    finally:
        await other.stop()


async def test_a_topic_added_with_the_command_line_reaches_a_running_process_at_once(
    cluster_settings: tuple[Settings, Settings], tmp_path: Path
) -> None:
    _, settings = cluster_settings
    running = Hub.build(settings)
    await running.start()
    environment = {
        "VEILLE_BUS": "nats",
        "VEILLE_NATS_URL": settings.nats_url,
        "VEILLE_NATS_STREAM": settings.nats_stream,
        "VEILLE_NATS_SUBJECT_PREFIX": settings.nats_subject_prefix,
        "VEILLE_DATABASE_URL": str(settings.database_url),
    }
    folder = tmp_path / "cli"
    folder.mkdir(mode=0o700)
    try:

        def add() -> Any:  # in a thread: the command runs its own event loop
            return CliRunner(env=environment).invoke(
                build_app(),
                ["topics", "add", "wifi_talk", "--query", "wifi", "--kind", "theme", "--data", str(folder)],
            )

        result = await asyncio.to_thread(add)
        assert result.exit_code == 0, result.output
        # Polling is set to an hour: only the command's notice can bring it this soon.
        await _until(lambda: "wifi_talk" in running.topics.names(), "the CLI's topic in the running process")
    finally:
        await running.stop()
