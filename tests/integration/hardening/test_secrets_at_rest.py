"""Fault 9 of issue 18: source secrets are sealed in the database with a key kept outside it, the
data folder is 0700 and the database 0600, and credentials written inside addresses are masked in
the API, the logs and last_error."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import LiveHub, serve_hub
from veille.hub import Hub
from veille.security import SecretBox, key_file_for
from veille.settings import Settings
from veille.sources.manager import SourceManager
from veille.sources.saved import save_source
from veille.store import open_store
from veille.store.schema import source_configs

TOKEN = "mastodon-user-token-5d1e"
FEED_SECRET = "feed-secret-77aa"


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


def _stored_config(settings: Settings, name: str) -> dict[str, object]:
    store = open_store(settings.sqlalchemy_url)
    try:
        with store.engine.connect() as connection:
            row = connection.execute(
                select(source_configs.c.config).where(source_configs.c.name == name)
            ).one()
        return dict(row[0])
    finally:
        store.close()


def test_secrets_are_sealed_in_the_database_and_come_back_after_a_restart(settings: Settings) -> None:
    table = {
        "type": "mastodon",
        "name": "user-masto",
        "endpoint": "http://127.0.0.1:9",
        "timeline": "hashtag",
        "hashtags": ["veille"],
        "access_token": TOKEN,
        "enabled": False,
    }
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        assert api.post("/api/v1/sources", json=table).status_code == 201
    database = Path(settings.sqlalchemy_url.removeprefix("sqlite:///"))
    assert TOKEN.encode() not in database.read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = database.with_name(database.name + suffix)
        assert not extra.exists() or TOKEN.encode() not in extra.read_bytes()
    stored = _stored_config(settings, "user-masto")
    assert set(stored["access_token"]) == {"$encrypted"}  # type: ignore[arg-type]
    key_file = key_file_for(settings.data_dir)
    assert key_file.parent != settings.data_dir.resolve()  # outside the data folder
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert _restarted(settings).get("user-masto").connector.config.secret("access_token") == TOKEN


def _restarted(settings: Settings) -> SourceManager:
    """The source manager of a hub built again on the same data (what a restart loads)."""
    hub = Hub.build(settings)
    manager = hub.source_manager
    assert manager is not None
    manager.load_saved()
    hub.store.close()
    return manager


def test_a_secret_saved_in_clear_by_an_older_hub_is_sealed_at_start(settings: Settings) -> None:
    store = open_store(settings.sqlalchemy_url)
    save_source(
        store,
        {
            "type": "mastodon",
            "name": "old",
            "endpoint": "http://127.0.0.1:9",
            "timeline": "public:local",
            "access_token": TOKEN,
        },
        enabled=False,
    )
    store.close()
    assert _restarted(settings).get("old").connector.config.secret("access_token") == TOKEN
    assert SecretBox.is_sealed(_stored_config(settings, "old")["access_token"])


def test_a_wrong_key_is_a_clear_problem_not_a_crash(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        answer = api.post(
            "/api/v1/sources",
            json={
                "type": "mastodon",
                "name": "m",
                "endpoint": "http://127.0.0.1:9",
                "timeline": "public:local",
                "access_token": TOKEN,
                "enabled": False,
            },
        )
        assert answer.status_code == 201
    monkeypatch.setenv("VEILLE_SECRET_KEY", SecretBox.generate_key())
    alerts = _restarted(settings).alerts()
    assert any("cannot be decrypted" in alert["message"] for alert in alerts)


def test_credentials_in_addresses_are_masked_everywhere(
    api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    feed = f"http://reader:{FEED_SECRET}@127.0.0.1:9/feed.xml?token={FEED_SECRET}&page=2"
    caplog.set_level(logging.INFO)
    added = api.post("/api/v1/sources", json={"type": "rss", "name": "private-feed", "feeds": [feed]})
    assert added.status_code == 201, added.text
    assert FEED_SECRET not in added.text
    assert added.json()["config"]["feeds"] == ["http://reader:***@127.0.0.1:9/feed.xml?token=***&page=2"]
    wait_for(lambda: source_view(api, "private-feed")["health"]["last_error"], timeout_s=20, what="an error")
    assert FEED_SECRET not in api.get("/api/v1/sources").text
    assert FEED_SECRET not in caplog.text
