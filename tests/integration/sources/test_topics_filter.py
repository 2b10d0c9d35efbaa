"""What a firehose keeps: the hub's topics when it has no query of its own, `topic:` references in a
source's query, and a `no_filter` alert when there is nothing to match against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes import LocalServer
from tests.fakes.bluesky import FakeBluesky, make_post_event
from tests.integration.sources.helpers import settings_with_toml, source_view, wait_for
from tests.support.live_server import serve_hub

POSTS = [
    "La fibre est coupée dans tout le quartier",  # topic outage
    "Mon chat dort sur le clavier",  # no topic
    "Nouveau forfait mobile chez Nova",  # topic mobile
]


@pytest.fixture
def bluesky() -> Iterator[tuple[FakeBluesky, LocalServer]]:
    fake = FakeBluesky()
    fake.scripts = [[("event", make_post_event(5_000_001 + index, text)) for index, text in enumerate(POSTS)]]
    with LocalServer(fake.app) as server:
        yield fake, server


def _texts(api: httpx.Client) -> list[str]:
    return sorted(item["text"] for item in api.get("/api/v1/posts").json()["items"])


def test_firehose_without_query_keeps_what_matches_any_topic(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    _, server = bluesky
    settings = settings_with_toml(
        tmp_path,
        f"""
[[topics]]
name = "outage"
query = "coupée OR panne"

[[topics]]
name = "mobile"
query = "forfait"

[[sources]]
type = "bluesky"
name = "jetstream"
endpoint = "{server.ws_url}/subscribe"
""",
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        wait_for(lambda: live.hub.store.get_checkpoint("jetstream") == "5000003", what="the three events")
        assert _texts(api) == sorted([POSTS[0], POSTS[2]])
        view = source_view(api, "jetstream")
        assert view["filter"] == "topics" and view["alerts"] == []
        assert view["health"]["filtered_total"] == 1


def test_a_source_query_can_name_topics(tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]) -> None:
    _, server = bluesky
    settings = settings_with_toml(
        tmp_path,
        f"""
[[topics]]
name = "outage"
query = "coupée OR panne"

[[sources]]
type = "bluesky"
name = "jetstream"
endpoint = "{server.ws_url}/subscribe"
query = "topic:outage OR chat"
""",
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        wait_for(lambda: live.hub.store.get_checkpoint("jetstream") == "5000003", what="the three events")
        assert _texts(api) == sorted([POSTS[0], POSTS[1]])


def test_a_firehose_with_nothing_to_match_keeps_nothing_and_says_so(
    tmp_path: Path, bluesky: tuple[FakeBluesky, LocalServer]
) -> None:
    _, server = bluesky
    settings = settings_with_toml(
        tmp_path,
        f'[[sources]]\ntype = "bluesky"\nname = "jetstream"\nendpoint = "{server.ws_url}/subscribe"\n',
    )
    with serve_hub(settings) as live, httpx.Client(base_url=live.base_url, headers=live.auth_headers) as api:
        wait_for(lambda: live.hub.store.get_checkpoint("jetstream") == "5000003", what="the three events")
        assert _texts(api) == []
        alerts = api.get("/api/v1/sources").json()["alerts"]
        assert [(alert["source"], alert["kind"]) for alert in alerts] == [("jetstream", "no_filter")]
        # A topic added later applies at once (the filter reads the live topics per post).
        created = api.post("/api/v1/topics", json={"name": "cats", "query": "chat"})
        assert created.status_code in (200, 201), created.text
        assert api.get("/api/v1/sources").json()["alerts"] == []
