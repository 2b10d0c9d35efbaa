"""The sources API: connector metadata, add/stop/start/remove live, persistence across a restart,
failure and silence alerts in the listing and in /metrics, secrets masked, access control."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.fakes.mastodon import FakeMastodon
from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import LiveHub, serve_hub
from veille.hub import Hub
from veille.settings import Settings


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    with LocalServer(fake.app) as server:
        yield fake, server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_with_toml(tmp_path, "[hub]\nsource_silent_after_s = 600\n")


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveHub]:
    with serve_hub(settings) as hub:
        yield hub


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_new_routes_need_credentials(live: LiveHub) -> None:
    with httpx.Client(base_url=live.base_url, timeout=10) as anonymous:
        for path in ("/api/v1/sources", "/api/v1/connectors", "/api/v1/sources/x"):
            assert anonymous.get(path).status_code == 401, path
        assert anonymous.post("/api/v1/sources", json={"type": "bluesky", "name": "b"}).status_code == 401
        assert anonymous.delete("/api/v1/sources/b").status_code == 401
        assert anonymous.post("/api/v1/sources/b/stop").status_code == 401


def test_connectors_lists_every_platform_with_typed_fields(api: httpx.Client) -> None:
    body = api.get("/api/v1/connectors").json()
    types = [item["type"] for item in body["items"]]
    assert types == ["bluesky", "hackernews", "mastodon", "reddit", "rss", "x", "youtube"]
    mastodon = next(item for item in body["items"] if item["type"] == "mastodon")
    token = next(field for field in mastodon["fields"] if field["name"] == "access_token")
    assert token["secret"] is True and token["required"] is True and token["env"] == "MASTODON_ACCESS_TOKEN"
    assert {field["name"] for field in body["common_fields"]} == {
        "name",
        "endpoint",
        "query",
        "enabled",
        "silent_after_s",
    }


def test_add_stop_start_remove_live_and_kept_after_restart(
    settings: Settings, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    fake, server = bluesky
    fake.scripts = [
        [("event", make_post_event(2_000_001, "première panne wifi"))],
        [("event", make_post_event(2_000_002, "second wifi post after a restart"))],
    ]
    table: dict[str, Any] = {
        "type": "bluesky",
        "name": "bsky-api",
        "endpoint": f"{server.ws_url}/subscribe",
        "keywords": ["wifi"],
        "cursor_rewind_s": 0,
        "app_password": "hunter2-app-password",
        "identifier": "alice.test",
    }
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        created = api.post("/api/v1/sources", json=table)
        assert created.status_code == 201, created.text
        assert "hunter2-app-password" not in created.text
        assert created.json()["config"]["app_password"] == "***"
        assert created.json()["origin"] == "api" and created.json()["running"] is True
        wait_for(lambda: live.hub.store.get_checkpoint("bsky-api") == "2000001", what="first post stored")

        assert api.post("/api/v1/sources", json=table).status_code == 409
        stopped = api.post("/api/v1/sources/bsky-api/stop").json()
        assert stopped["running"] is False and stopped["enabled"] is False
        assert stopped["health"]["state"] == "stopped" and stopped["alerts"] == []
        assert "bsky-api" not in live.hub.pipeline.running_sources

        started = api.post("/api/v1/sources/bsky-api/start").json()
        assert started["running"] is True
        # Resumed from the stored checkpoint: the second connection asked for cursor = 2000001.
        wait_for(lambda: live.hub.store.get_checkpoint("bsky-api") == "2000002", what="second post")
        assert fake.connections[-1]["cursor"] == ["2000001"]
        assert live.hub.store.count_posts() == 2

        api.post("/api/v1/sources/bsky-api/stop")
        assert "hunter2-app-password" not in api.get("/api/v1/sources").text

    # A new hub on the same store: the API source is back, still stopped as it was left.
    async def restart() -> None:
        hub = Hub.build(settings)
        await hub.start()
        try:
            assert hub.source_manager is not None
            managed = hub.source_manager.get("bsky-api")
            assert managed.origin == "api" and managed.enabled is False
            assert managed.connector.config.secret("app_password") == "hunter2-app-password"
            assert hub.pipeline.running_sources == []
            await hub.source_manager.remove("bsky-api")
        finally:
            await hub.stop()
        again = Hub.build(settings)
        try:
            assert again.source_manager is not None
            await again.source_manager.start()
            assert again.source_manager.names() == []
            await again.source_manager.stop()
        finally:
            again.store.close()

    import asyncio

    asyncio.run(restart())


def test_remove_and_bad_bodies(tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]) -> None:
    _, server = bluesky
    settings = settings_with_toml(
        tmp_path,
        f'[[sources]]\ntype = "bluesky"\nname = "from-file"\nendpoint = "{server.ws_url}/subscribe"\n',
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        refused = api.delete("/api/v1/sources/from-file")
        assert refused.status_code == 409 and "veille.toml" in refused.json()["detail"]
        assert api.delete("/api/v1/sources/nope").status_code == 404
        assert api.post("/api/v1/sources/nope/start").status_code == 404
        bad = api.post("/api/v1/sources", json={"type": "bluesky", "name": "b2", "keywords": 3})
        assert bad.status_code == 422
        assert bad.json()["detail"] == "source 'b2': keywords: expected a list of strings"
        unknown = api.post("/api/v1/sources", json={"type": "bluesky", "name": "b3", "colour": "red"})
        assert unknown.status_code == 422 and "unknown field(s) colour" in unknown.json()["detail"]
        assert api.post("/api/v1/sources", json={"type": "bluesky", "name": "from-file"}).status_code == 409
        added = api.post(
            "/api/v1/sources",
            json={
                "type": "bluesky",
                "name": "b4",
                "endpoint": f"{server.ws_url}/subscribe",
                "enabled": False,
            },
        )
        assert added.status_code == 201 and added.json()["running"] is False
        assert api.delete("/api/v1/sources/b4").status_code == 204
        assert api.get("/api/v1/sources/b4").status_code == 404
        listed = api.get("/api/v1/sources").json()["items"]
        assert [item["name"] for item in listed if not item["read_only"]] == ["from-file"]
        # The push API is always one of the hub's own (read-only) sources.
        assert [(item["name"], item["type"]) for item in listed if item["read_only"]] == [("push", "push")]


def test_bad_credentials_raise_a_failed_alert_not_a_retry_loop(api: httpx.Client) -> None:
    fake = FakeMastodon(tokens=("the-right-token",))
    with LocalServer(fake.app) as server:
        table = {
            "type": "mastodon",
            "name": "masto-bad",
            "endpoint": server.url,
            "access_token": "a-wrong-token",
            "hashtags": ["livebox"],
            "transport": "sse",
        }
        assert api.post("/api/v1/sources", json=table).status_code == 201
        view = wait_for(
            lambda: (found := source_view(api, "masto-bad"))["alerts"] and found, what="the failed alert"
        )
        assert view["running"] is False and view["health"]["state"] == "failed"
        assert [alert["kind"] for alert in view["alerts"]] == ["failed"]
        assert "credentials refused" in view["alerts"][0]["message"]
        assert "a-wrong-token" not in api.get("/api/v1/sources").text
        listing = api.get("/api/v1/sources").json()
        assert [(alert["source"], alert["kind"]) for alert in listing["alerts"]] == [("masto-bad", "failed")]
        assert view["health"]["reconnects_total"] == 0
        metrics = api.get("/metrics").text
        assert 'veille_source_failed{source="masto-bad",type="mastodon"} 1.0' in metrics
        assert 'veille_source_running{source="masto-bad",type="mastodon"} 0.0' in metrics


def test_silence_and_unreachable_endpoint_alerts(
    api: httpx.Client,
    live: LiveHub,
    bluesky: tuple[FakeBluesky, LocalServer],
) -> None:
    _, server = bluesky
    quiet = {
        "type": "bluesky",
        "name": "quiet",
        "endpoint": f"{server.ws_url}/subscribe",
        "keywords": ["wifi"],
        "silent_after_s": 0.3,
    }
    down = {
        "type": "bluesky",
        "name": "down",
        "endpoint": f"ws://127.0.0.1:{_closed_port()}/subscribe",
        "keywords": ["wifi"],
    }
    assert api.post("/api/v1/sources", json=quiet).status_code == 201
    assert api.post("/api/v1/sources", json=down).status_code == 201
    view = wait_for(
        lambda: (found := source_view(api, "quiet"))["alerts"] and found, what="the silence alert"
    )
    assert view["alerts"][0]["kind"] == "silent" and view["running"] is True
    assert view["health"]["connected"] is True
    assert 'veille_source_silent{source="quiet",type="bluesky"} 1.0' in api.get("/metrics").text
    # No server there: the error is reported, the source keeps retrying, the hub keeps serving.
    down_view = wait_for(
        lambda: (found := source_view(api, "down"))["health"]["last_error"] and found, what="the error"
    )
    assert down_view["health"]["last_error"].startswith("connection lost:")
    assert down_view["running"] is True and down_view["health"]["connected"] is False
    assert api.get("/healthz").json()["status"] == "ok"
    # The hub's log says it (once, then once a minute while it lasts), with the alerts.
    manager = live.hub.source_manager
    assert manager is not None

    logged: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    def look_twice() -> None:
        # On the hub's event loop, where its own watcher looks too: only these two looks are kept.
        for name in ("quiet", "down"):  # as if the watcher (every 5 s) had not looked yet
            manager.get(name).logged_error = None
            manager.get(name).logged_alerts = {}
        kept = Kept(logging.WARNING)
        logging.getLogger("veille.sources.manager").addHandler(kept)
        try:
            manager.check_alerts()
            manager.check_alerts()
        finally:
            logging.getLogger("veille.sources.manager").removeHandler(kept)

    looked = threading.Event()
    live.loop.call_soon_threadsafe(lambda: (look_twice(), looked.set()))
    assert looked.wait(timeout=30)
    assert len([line for line in logged if line.startswith("source down (bluesky): connection lost:")]) == 1
    assert any(line.startswith("ALERT source quiet: silent: no post for") for line in logged)
    # The silence delay of the hub ([hub] source_silent_after_s) applies when the table gives none.
    assert down_view["config"]["silent_after_s"] == 600.0
    assert live.hub.source_manager is not None and live.hub.source_manager.silent_after_s == 600.0


def test_an_unreachable_feed_is_failed_with_its_error_not_connected(tmp_path: Path) -> None:
    settings = settings_with_toml(
        tmp_path,
        f'[[sources]]\ntype = "rss"\nname = "press"\nfeeds = ["http://127.0.0.1:{_closed_port()}/feed.xml"]\n',
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        view = wait_for(
            lambda: (found := source_view(api, "press"))["health"]["state"] == "failed" and found,
            what="the feed's failure",
        )
        assert view["health"]["connected"] is False and view["running"] is True
        assert "network error" in view["health"]["last_error"]
        [alert] = [
            alert for alert in api.get("/api/v1/sources").json()["alerts"] if alert["source"] == "press"
        ]
        assert alert["kind"] == "failed" and "network error" in alert["message"]


def test_the_sharing_of_a_source_changes_on_its_own(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    """``PUT /api/v1/sources/{name}/sharing`` (the sources page's control): admins only, a source of
    veille.toml is refused (409), the change is audited and decides who sees the source."""
    from veille.teams import create_team

    _, server = bluesky
    settings = settings_with_toml(
        tmp_path,
        f'[[sources]]\ntype = "bluesky"\nname = "from-file"\nendpoint = "{server.ws_url}/subscribe"\n',
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        for team in ("care", "press"):
            create_team(store=live.hub.store, spec={"name": team}, actor="tests")
        user_id = live.hub.access.add_user("ana", "long enough password", role="analyst", teams=["press"])
        token = live.hub.access.create_token("ana", user_id=user_id, role="analyst", teams=["press"])
        table = {"type": "bluesky", "name": "b5", "endpoint": f"{server.ws_url}/subscribe", "enabled": False}
        assert api.post("/api/v1/sources", json=table).status_code == 201
        with httpx.Client(base_url=live.base_url, headers={"Authorization": f"Bearer {token}"}) as ana:
            assert "b5" in {item["name"] for item in ana.get("/api/v1/sources").json()["items"]}
            refused = ana.put("/api/v1/sources/b5/sharing", json={"visibility": "private"})
            assert refused.status_code == 403 and "admin" in refused.json()["detail"]
            changed = api.put("/api/v1/sources/b5/sharing", json={"owner_team": "care", "visibility": "team"})
            assert changed.status_code == 200, changed.text
            assert (changed.json()["owner_team"], changed.json()["visibility"]) == ("care", "team")
            assert "b5" not in {item["name"] for item in ana.get("/api/v1/sources").json()["items"]}
            assert ana.get("/api/v1/sources/b5").status_code == 404
        kept = api.put("/api/v1/sources/b5/sharing", json={"visibility": "organisation"}).json()
        assert (kept["owner_team"], kept["visibility"]) == ("care", "organisation")  # absent: as it was
        wrong = api.put("/api/v1/sources/b5/sharing", json={"visibility": "everyone"})
        assert wrong.status_code == 422
        from_file = api.put("/api/v1/sources/from-file/sharing", json={"visibility": "private"})
        assert from_file.status_code == 409 and "veille.toml" in from_file.json()["detail"]
        assert api.put("/api/v1/sources/nope/sharing", json={"visibility": "private"}).status_code == 404
        audit = api.get("/api/v1/audit", params={"kind": "source"}).json()["items"]
        shares = [entry for entry in audit if entry["action"] == "share" and entry["object_id"] == "b5"]
        assert [(entry["before"] or {}).get("visibility") for entry in shares] == [
            "team",
            "organisation",
            None,
        ]
