"""Alert rules and sources changed by another process (the CLI, another serve) reach a running hub
without a restart (issue 15, item 4), on SQLite and PostgreSQL: the polling path, the one that
needs no bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from veille.alerts import service as alerts
from veille.alerts.models import RuleSpec
from veille.hub import Hub
from veille.settings import Settings
from veille.sources.saved import delete_source, save_source, set_source_enabled
from veille.store.sql import open_store


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 60  # generous: a busy machine
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


async def test_a_rule_added_by_another_process_is_evaluated_by_the_running_hub(
    hub_settings: Settings,
) -> None:
    hub = Hub.build(hub_settings.model_copy(update={"config_poll_s": 0.2}))
    other = open_store(hub_settings.sqlalchemy_url)  # what another process (or the CLI) opens
    await hub.start()
    try:
        assert hub.alerts is not None
        engine_rules = lambda: {rule.key for rule in hub.alerts.engine.rules}  # noqa: E731
        spec = RuleSpec(name="wifi spike", kind="volume_spike", query="wifi", window_s=600)
        rule = await asyncio.to_thread(alerts.create_rule, store=other, spec=spec)
        await _until(lambda: rule.id in engine_rules(), "the new rule in the running engine")
        changed = spec.model_copy(update={"window_s": 900})
        await asyncio.to_thread(alerts.update_rule, store=other, rule_id=rule.id, spec=changed)
        await _until(
            lambda: any(r.key == rule.id and r.spec.window_s == 900 for r in hub.alerts.engine.rules),
            "the changed rule in the running engine",
        )
        await asyncio.to_thread(alerts.delete_rule, store=other, rule_id=rule.id)
        await _until(lambda: rule.id not in engine_rules(), "the rule gone from the running engine")
        assert hub.config is not None and hub.config.reloads["alert_rule"] >= 3
    finally:
        await hub.stop()
        other.close()


async def test_a_source_added_stopped_and_removed_by_another_process_starts_and_stops(
    hub_settings: Settings, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    fake.scripts = [[("event", make_post_event(3_000_000 + i, f"wifi en panne {i}")) for i in range(3)]]
    hub = Hub.build(hub_settings.model_copy(update={"config_poll_s": 0.2, "outbound_allow": ["127.0.0.1"]}))
    other = open_store(hub_settings.sqlalchemy_url)
    await hub.start()
    try:
        manager = hub.source_manager
        assert manager is not None
        table = {
            "type": "bluesky",
            "name": "bsky-cli",
            "endpoint": f"{server.ws_url}/subscribe",
            "query": "wifi",
        }
        await asyncio.to_thread(save_source, other, table)
        await _until(lambda: "bsky-cli" in hub.pipeline.running_sources, "the new source running")
        await _until(lambda: hub.store.count_posts() == 3, "the new source's posts stored")
        assert manager.describe(manager.get("bsky-cli"))["origin"] == "api"
        # In step with the store: nothing to do (a source is never restarted by a poll for nothing).
        assert await manager.sync_saved() == []
        here = {
            "type": "bluesky",
            "name": "bsky-api",
            "endpoint": f"{server.ws_url}/subscribe",
            "keywords": ["x"],
        }
        await manager.add(here)
        assert await manager.sync_saved() == []
        await manager.remove("bsky-api")

        await asyncio.to_thread(set_source_enabled, other, "bsky-cli", False)
        await _until(lambda: "bsky-cli" not in hub.pipeline.running_sources, "the source stopped")
        assert manager.get("bsky-cli").enabled is False

        await asyncio.to_thread(set_source_enabled, other, "bsky-cli", True)
        await _until(lambda: "bsky-cli" in hub.pipeline.running_sources, "the source started again")

        await asyncio.to_thread(delete_source, other, "bsky-cli")
        await _until(lambda: "bsky-cli" not in manager.names(), "the source removed")
        assert "bsky-cli" not in hub.pipeline.running_sources
    finally:
        await hub.stop()
        other.close()
