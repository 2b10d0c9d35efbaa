"""Faults 1 and 2 of issue 18: the server's environment is not readable nor probeable through the
API, and the operator's credentials go only to the sources the operator declared in veille.toml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.sources.helpers import settings_with_toml
from tests.support.live_server import LiveHub, serve_hub
from veille.settings import Settings

OPERATOR_TOKEN = "operator-mastodon-token-7f3a"
PROBE_SECRET = "probe-secret-value-91c2"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The operator's own Mastodon source reads its token from the environment: allowed.
    return settings_with_toml(
        tmp_path,
        '[[sources]]\ntype = "mastodon"\nname = "operator-masto"\nendpoint = "https://mastodon.example"\n'
        'timeline = "hashtag"\nhashtags = ["veille"]\nenabled = false\n',
    )


@pytest.fixture
def live(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveHub]:
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", OPERATOR_TOKEN)
    monkeypatch.setenv("HARDENING_PROBE_SECRET", PROBE_SECRET)
    monkeypatch.setenv("VEILLE_SOURCE_USER_MASTO_ACCESS_TOKEN", OPERATOR_TOKEN)
    with serve_hub(settings) as hub:
        yield hub


@pytest.fixture
def api(live: LiveHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, headers=live.auth_headers, timeout=10) as client:
        yield client


@pytest.mark.parametrize("variable", ["HARDENING_PROBE_SECRET", "NO_SUCH_VARIABLE_ANYWHERE_31"])
@pytest.mark.parametrize("field", ["user_agent", "feeds"])
def test_api_source_cannot_read_nor_probe_the_environment(
    api: httpx.Client, variable: str, field: str
) -> None:
    table: dict[str, object] = {"type": "rss", "name": "probe", "feeds": ["http://127.0.0.1:9/feed"]}
    table[field] = f"${{{variable}}}" if field == "user_agent" else [f"${{{variable}}}"]
    answer = api.post("/api/v1/sources", json=table)
    assert answer.status_code == 422, answer.text
    assert PROBE_SECRET not in answer.text
    body = answer.json()
    assert body["field"] == field
    # The same sentence whether the variable exists or not: nothing to learn from it.
    assert variable not in body["detail"]
    assert "only read from the operator's veille.toml" in body["detail"]
    assert api.get("/api/v1/sources/probe").status_code == 404


def test_api_source_with_its_own_endpoint_never_gets_the_operator_token(api: httpx.Client) -> None:
    table = {
        "type": "mastodon",
        "name": "user-masto",  # VEILLE_SOURCE_USER_MASTO_ACCESS_TOKEN is set: still not for it
        "endpoint": "http://127.0.0.1:9",
        "timeline": "hashtag",
        "hashtags": ["veille"],
        "enabled": False,
    }
    answer = api.post("/api/v1/sources", json=table)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "access_token"
    assert OPERATOR_TOKEN not in answer.text
    assert "MASTODON_ACCESS_TOKEN" not in answer.text  # no hint about the server's variables


def test_operator_source_gets_its_credential_and_it_is_masked(live: LiveHub, api: httpx.Client) -> None:
    managed = live.hub.source_manager.get("operator-masto")  # type: ignore[union-attr]
    assert managed.connector.config.secret("access_token") == OPERATOR_TOKEN
    view = api.get("/api/v1/sources/operator-masto").json()
    assert view["config"]["access_token"] == "***"
    assert OPERATOR_TOKEN not in api.get("/api/v1/sources").text
